// Test support: run a real program (the casepack binary, sqlcipher, age…) with arguments, environment,
// standard input, and capture its output and exit status. Header-only, POSIX.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace casepack::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

struct RunOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the current environment
  std::string stdin_data;
  std::vector<std::string> unset_env;
  std::vector<std::string> prefix;  // run argv through this command (e.g. setpriv …)
};

inline ProcessResult RunProcess(const std::vector<std::string>& argv, const RunOptions& opt = {}) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0 || pipe(err_pipe) != 0) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    setsid();  // no controlling terminal: the program must not find /dev/tty
    for (const auto& name : opt.unset_env) unsetenv(name.c_str());
    for (const auto& [k, v] : opt.env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : opt.prefix) args.push_back(const_cast<char*>(a.c_str()));
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  if (opt.stdin_data.empty()) {
    close(in_pipe[1]);
    in_pipe[1] = -1;
  }
  ProcessResult r;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
    poll(fds, in_pipe[1] >= 0 ? 3 : 2, -1);
    char buf[65536];
    if (fds[0].revents) {
      const ssize_t n = read(out_pipe[0], buf, sizeof buf);
      if (n <= 0) out_open = false; else r.out.append(buf, static_cast<std::size_t>(n));
    }
    if (fds[1].revents) {
      const ssize_t n = read(err_pipe[0], buf, sizeof buf);
      if (n <= 0) err_open = false; else r.err.append(buf, static_cast<std::size_t>(n));
    }
    if (in_pipe[1] >= 0 && fds[2].revents) {
      const ssize_t n = write(in_pipe[1], opt.stdin_data.data() + written, opt.stdin_data.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 || written == opt.stdin_data.size()) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
  }
  if (in_pipe[1] >= 0) close(in_pipe[1]);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

// A fresh directory under the system temp dir (or under `parent`), removed with everything in it at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string tmpl = (parent / "casepack-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Every file below `dir` concatenated, for searching raw bytes.
inline std::string AllBytesBelow(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) all += ReadFile(e.path());
  return all;
}

// Runs `work` in a forked child; once it returns 0 the child waits and is killed with SIGKILL: nothing is
// flushed, closed or snapshotted, as when a laptop's process is killed. Returns what `work` returned (0)
// once the child died of the signal, or the child's failing exit code (a value of `work`, or 100 if the
// child could not report).
inline int RunThenKillNine(const std::function<int()>& work) {
  int ready[2];
  if (::pipe(ready) != 0) return 101;
  const pid_t child = ::fork();
  if (child < 0) return 102;
  if (child == 0) {
    ::close(ready[0]);
    const int rc = work();
    if (rc != 0) ::_exit(rc);
    const char done = 'k';
    if (::write(ready[1], &done, 1) != 1) ::_exit(100);
    ::pause();
    ::_exit(100);
  }
  ::close(ready[1]);
  char got = 0;
  const bool reported = ::read(ready[0], &got, 1) == 1;
  ::close(ready[0]);
  if (reported) ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (reported) return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 103;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 104;
}

}  // namespace casepack::testing
