#include "pdf_catalog.h"

#define POINTERHOLDER_TRANSITION 4  // qpdf 11: std::shared_ptr everywhere
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <exception>
#include <stdexcept>

namespace casepack::render_detail {

namespace {

// The structure elements under `node` (a /K value: an element, an array, a marked-content reference or
// an MCID), depth first, in document order.
void CollectElements(QPDFObjectHandle node, std::vector<QPDFObjectHandle>& out, int depth) {
  if (depth > 64) throw std::runtime_error("structure tree too deep");
  if (node.isArray()) {
    for (int i = 0; i < node.getArrayNItems(); ++i) CollectElements(node.getArrayItem(i), out, depth + 1);
    return;
  }
  if (!node.isDictionary() || !node.hasKey("/S")) return;  // an MCID or a marked-content reference
  out.push_back(node);
  if (node.hasKey("/K")) CollectElements(node.getKey("/K"), out, depth + 1);
}

void SetElementLanguages(QPDFObjectHandle root, const std::vector<std::string>& element_langs) {
  bool any = false;
  for (const auto& l : element_langs) any = any || !l.empty();
  if (!any) return;
  QPDFObjectHandle tree = root.getKey("/StructTreeRoot");
  if (!tree.isDictionary() || !tree.hasKey("/K")) throw std::runtime_error("no structure tree");
  std::vector<QPDFObjectHandle> elements;
  CollectElements(tree.getKey("/K"), elements, 0);
  if (elements.size() != element_langs.size()) throw std::runtime_error("structure tree does not match");
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (!element_langs[i].empty()) elements[i].replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(element_langs[i]));
  }
}

}  // namespace

bool FinishPdfCatalog(const std::string& pdf, const std::string& lang, const std::vector<std::string>& element_langs,
                      std::string& out) {
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("report.pdf", pdf.data(), pdf.size());
    QPDFObjectHandle root = q.getRoot();
    root.replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(lang));
    SetElementLanguages(root, element_langs);
    // cairo 1.16 writes the structure tree but not the flag that says the document is tagged.
    QPDFObjectHandle mark = QPDFObjectHandle::newDictionary();
    mark.replaceKey("/Marked", QPDFObjectHandle::newBool(true));
    root.replaceKey("/MarkInfo", mark);
    QPDFObjectHandle prefs = QPDFObjectHandle::newDictionary();
    prefs.replaceKey("/DisplayDocTitle", QPDFObjectHandle::newBool(true));
    root.replaceKey("/ViewerPreferences", prefs);
    QPDFWriter w(q);
    w.setOutputMemory();
    w.setDeterministicID(true);
    // Copy cairo's streams as they are: decoding and recompressing them would double the time.
    w.setDecodeLevel(qpdf_dl_none);
    w.setStreamDataMode(qpdf_s_preserve);
    w.setObjectStreamMode(qpdf_o_preserve);
    w.write();
    auto buffer = w.getBufferSharedPointer();
    out.assign(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace casepack::render_detail
