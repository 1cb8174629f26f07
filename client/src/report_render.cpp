#include "casepack/report_render.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>

#include "casepack/render_module.h"

namespace casepack {

namespace {

std::atomic<ReportRenderer> g_renderer{nullptr};

std::filesystem::path ModulePath() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path().parent_path() / "lib" / "casepack" / kRenderModuleFile;
}

Error ModuleMissing(const std::string& why) {
  return MakeError(ErrorCode::kNotFound, "cannot make a PDF or Word report: " + why,
                   "reinstall casepack (the module comes with it), or ask for a Markdown or HTML report");
}

struct Module {
  RenderModuleEntry entry;
};

// Loaded once and kept for the life of the process (never dlclose'd: cairo and fontconfig keep caches).
Result<Module> LoadModule() {
  static std::mutex mu;
  static std::optional<Result<Module>> loaded;
  std::lock_guard<std::mutex> lock(mu);
  if (loaded) return *loaded;
  loaded = [&]() -> Result<Module> {
    const std::filesystem::path path = ModulePath();
    if (path.empty()) return ModuleMissing("the running program's path is unknown");
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      return ModuleMissing(why != nullptr ? std::string(why) : path.string() + " cannot be loaded");
    }
    auto abi = reinterpret_cast<RenderModuleAbi>(::dlsym(handle, kRenderModuleAbiSymbol));
    auto entry = reinterpret_cast<RenderModuleEntry>(::dlsym(handle, kRenderModuleEntrySymbol));
    if (abi == nullptr || entry == nullptr) return ModuleMissing(path.string() + " is not casepack's report module");
    if (std::string(abi()) != CASEPACK_RENDER_MODULE_ABI_STRING(CASEPACK_VERSION))
      return MakeError(ErrorCode::kUnsupported, "cannot make a PDF or Word report: " + path.string() + " is from another casepack build",
                       "reinstall casepack");
    return Module{entry};
  }();
  return *loaded;
}

}  // namespace

void SetReportRenderer(ReportRenderer renderer) { g_renderer.store(renderer); }

Result<std::string> RenderReport(const ReportLayout& layout, ReportFormat format) {
  if (format == ReportFormat::kMarkdown || format == ReportFormat::kHtml) return RenderTextLayout(layout, format);
  if (ReportRenderer r = g_renderer.load(); r != nullptr) return r(layout, format);
  CP_ASSIGN_OR_RETURN(Module module, LoadModule());
  Result<std::string> out = MakeError(ErrorCode::kIo, "the report module returned nothing");
  module.entry(&layout, format, &out);
  return out;
}

}  // namespace casepack
