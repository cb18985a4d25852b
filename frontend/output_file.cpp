#include "frontend/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {

namespace {

namespace fs = std::filesystem;

// Why an output cannot be created or written; the errno's own words otherwise.
std::string write_reason(int err) {
  if (err == ENOENT) return "no such directory";
  if (err == ENOTDIR) return "a parent is not a directory";
  if (err == EISDIR) return "is a directory";
  return std::strerror(err);
}

[[noreturn]] void cannot_write(const std::string& path, int err) {
  throw UserError(fmt::format("{}: cannot be written ({})", path, write_reason(err)));
}

// What an output path names once symlinks are followed.
struct Target {
  enum class Kind { regular, missing, special, descriptor } kind = Kind::missing;
  std::string path;  // regular/missing: the file to create or replace; special: the path to open
  int fd = -1;       // descriptor: the process's own descriptor (`-`, /dev/stdout, /dev/fd/N)
  struct stat st {};
};

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// `dir/N` where dir is this process's descriptor table (/proc/self/fd, /dev/fd, /proc/PID/fd):
// the descriptor N, else -1. Such links are "magic": their text (pipe:[123]) is no path, and
// reopening them by name would restart a regular file at offset 0.
int own_descriptor(const std::string& path) {
  const std::string base = base_of(path);
  if (base.empty() || base.size() > 9 || !std::all_of(base.begin(), base.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  char* real = ::realpath(dir_of(path).c_str(), nullptr);
  if (!real) return -1;
  const std::string dir(real);
  std::free(real);
  const bool own = dir == "/proc/self/fd" || dir == fmt::format("/proc/{}/fd", ::getpid());
  return own ? std::stoi(base) : -1;
}

Target resolve(const std::string& path) {
  Target t;
  if (is_stdout_path(path)) {
    t.kind = Target::Kind::descriptor;
    t.fd = STDOUT_FILENO;
    return t;
  }
  if (path.empty()) throw UserError("an output path is empty");
  std::string cur = path;
  for (int hop = 0; hop < 40; ++hop) {
    if (const int fd = own_descriptor(cur); fd >= 0) {
      t.kind = Target::Kind::descriptor;
      t.fd = fd;
      return t;
    }
    struct stat lst {};
    if (::lstat(cur.c_str(), &lst) != 0) {
      if (errno != ENOENT) cannot_write(path, errno);
      t.kind = Target::Kind::missing;  // a new file (possibly a dangling link's target)
      t.path = cur;
      return t;
    }
    if (S_ISLNK(lst.st_mode)) {
      std::string link(static_cast<size_t>(PATH_MAX), '\0');
      const ssize_t n = ::readlink(cur.c_str(), link.data(), link.size());
      if (n < 0) cannot_write(path, errno);
      link.resize(static_cast<size_t>(n));
      cur = !link.empty() && link[0] == '/' ? link : dir_of(cur) + "/" + link;
      continue;
    }
    if (S_ISDIR(lst.st_mode)) cannot_write(path, EISDIR);
    t.kind = S_ISREG(lst.st_mode) ? Target::Kind::regular : Target::Kind::special;
    t.path = cur;
    t.st = lst;
    return t;
  }
  cannot_write(path, ELOOP);
}

// Writes all of `data` to `fd`; UserError with the real errno (ENOSPC on /dev/full) otherwise.
void write_all(int fd, const char* data, size_t size, const std::string& path) {
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw UserError(fmt::format("{}: write failed ({})", path, std::strerror(n < 0 ? errno : EIO)));
    done += static_cast<size_t>(n);
  }
}

// Writes `text` into a target that is not replaced (a device, FIFO or descriptor).
void write_in_place(const Target& t, const std::string& path, const char* data, size_t size) {
  if (t.kind == Target::Kind::descriptor) {
    if (t.fd == STDOUT_FILENO) std::fflush(stdout);  // keep order with what stdio printed
    if (::fcntl(t.fd, F_GETFL) < 0) cannot_write(path, errno);
    write_all(t.fd, data, size, path);
    return;
  }
  // A FIFO's open waits for its reader, as a shell redirection does.
  const int fd = ::open(t.path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) cannot_write(path, errno);
  try {
    write_all(fd, data, size, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0)
    throw UserError(fmt::format("{}: write failed ({})", path, std::strerror(errno)));
}

// A fresh temporary in `dir` whose name starts with (part of) `base`, shortened so that the
// whole name fits the directory's NAME_MAX: a legal 250-character output keeps working.
int create_temp(const std::string& dir, const std::string& base, std::string& temp_path, int& err) {
  static std::atomic<unsigned> sequence{0};
  long name_max = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  if (name_max <= 0) name_max = NAME_MAX;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string suffix = fmt::format(".{}.{}.tmp", ::getpid(), sequence++);
    const size_t room = static_cast<size_t>(name_max) - 1 - suffix.size();
    const std::string name = "." + base.substr(0, std::min(base.size(), room)) + suffix;
    temp_path = (dir == "/" ? "" : dir) + "/" + name;
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) break;
  }
  err = errno;
  temp_path.clear();
  return -1;
}

}  // namespace

bool names_standard_output(const std::string& path) {
  if (is_stdout_path(path)) return true;
  try {
    const Target t = resolve(path);
    return t.kind == Target::Kind::descriptor && t.fd == STDOUT_FILENO;
  } catch (const UserError&) {
    return false;
  }
}

PendingOutput::PendingOutput(const std::string& path) : path_(path) {
  const Target t = resolve(path);
  int fd = -1, err = 0;
  if (t.kind == Target::Kind::regular || t.kind == Target::Kind::missing) {
    target_ = t.path;
    fd = create_temp(dir_of(t.path), base_of(t.path), temp_path_, err);
    if (fd < 0) cannot_write(path, err);
    if (t.kind == Target::Kind::regular) {
      // The replacement keeps the replaced file's permission bits and, where we may, owner.
      keep_mode_ = t.st.st_mode & 07777;
      if (::fchmod(fd, keep_mode_) != 0) keep_mode_ = 0;
      if (::fchown(fd, t.st.st_uid, t.st.st_gid) != 0) {
        // Not ours to give away (not root): the new file is the writer's, like a fresh one.
      }
    }
  } else {
    in_place_ = true;
    out_fd_ = t.fd;
    target_ = t.path;
    const char* tmpdir = std::getenv("TMPDIR");
    fd = create_temp(tmpdir && *tmpdir ? tmpdir : "/tmp", "h4hsim-output", temp_path_, err);
    if (fd < 0) throw UserError(fmt::format("{}: cannot create a temporary file ({})", path, std::strerror(err)));
    if (t.kind == Target::Kind::special && ::access(t.path.c_str(), W_OK) != 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(temp_path_.c_str());
      cannot_write(path, e);
    }
  }
  ::close(fd);
}

PendingOutput::~PendingOutput() {
  if (!temp_path_.empty() && !(done_ && !in_place_)) ::unlink(temp_path_.c_str());
}

void PendingOutput::commit() {
  if (!in_place_) {
    if (std::rename(temp_path_.c_str(), target_.c_str()) != 0) cannot_write(path_, errno);
    done_ = true;
    return;
  }
  std::string bytes;
  {
    const int fd = ::open(temp_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw UserError(fmt::format("{}: temporary file vanished ({})", path_, std::strerror(errno)));
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      bytes.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
  }
  Target t;
  t.kind = out_fd_ >= 0 ? Target::Kind::descriptor : Target::Kind::special;
  t.fd = out_fd_;
  t.path = target_;
  write_in_place(t, path_, bytes.data(), bytes.size());
  done_ = true;
}

void write_output(const std::string& path, const std::string& text) {
  const Target t = resolve(path);
  if (t.kind == Target::Kind::special || t.kind == Target::Kind::descriptor) {
    write_in_place(t, path, text.data(), text.size());
    return;
  }
  PendingOutput out(path);
  const int fd = ::open(out.temp_path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) cannot_write(path, errno);
  try {
    write_all(fd, text.data(), text.size(), path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  // close() is where NFS and some full disks report a failed write.
  if (::close(fd) != 0) throw UserError(fmt::format("{}: write failed ({})", path, std::strerror(errno)));
  out.commit();
}

void check_output_writable(const std::string& path) {
  const Target t = resolve(path);
  switch (t.kind) {
    case Target::Kind::descriptor:
      if (::fcntl(t.fd, F_GETFL) < 0) cannot_write(path, errno);
      return;
    case Target::Kind::special:
      if (::access(t.path.c_str(), W_OK) != 0) cannot_write(path, errno);
      return;
    case Target::Kind::regular:
    case Target::Kind::missing: {
      std::string probe;
      int err = 0;
      const int fd = create_temp(dir_of(t.path), base_of(t.path), probe, err);
      if (fd < 0) cannot_write(path, err);
      ::close(fd);
      ::unlink(probe.c_str());
      return;
    }
  }
}

namespace {

std::string describe(const FileArg& f) { return f.flag.empty() ? f.path : f.flag + " " + f.path; }

// What makes two outputs, or an output and an input, one file.
struct FileKey {
  bool comparable = false;  // devices and FIFOs may be shared
  bool is_stdout = false;
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string new_path;     // a file still to be created: its absolute resolved path

  bool same(const FileKey& o) const {
    if (!comparable || !o.comparable) return false;
    if (is_stdout || o.is_stdout) return is_stdout && o.is_stdout;
    if (exists != o.exists) return false;
    return exists ? dev == o.dev && ino == o.ino : new_path == o.new_path;
  }
};

FileKey output_key(const std::string& path) {
  FileKey k;
  Target t;
  try {
    t = resolve(path);
  } catch (const UserError&) {
    return k;  // the writability check reports it, with its reason
  }
  if (t.kind == Target::Kind::descriptor) {
    struct stat st {};
    k.is_stdout = t.fd == STDOUT_FILENO;
    k.comparable = k.is_stdout || (::fstat(t.fd, &st) == 0 && S_ISREG(st.st_mode));
    k.exists = true;
    k.dev = st.st_dev;
    k.ino = st.st_ino;
    return k;
  }
  if (t.kind == Target::Kind::special) return k;
  k.comparable = true;
  k.exists = t.kind == Target::Kind::regular;
  k.dev = t.st.st_dev;
  k.ino = t.st.st_ino;
  if (!k.exists) {
    std::error_code ec;
    const fs::path abs = fs::weakly_canonical(fs::absolute(t.path, ec), ec);
    k.new_path = ec ? t.path : abs.string();
  }
  return k;
}

FileKey input_key(const std::string& path) {
  FileKey k;
  struct stat st {};
  if (is_stdout_path(path) || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return k;
  k.comparable = k.exists = true;
  k.dev = st.st_dev;
  k.ino = st.st_ino;
  return k;
}

}  // namespace

void check_distinct_files(const std::vector<FileArg>& inputs, const std::vector<FileArg>& outputs) {
  std::vector<FileKey> in_keys;
  for (const FileArg& in : inputs) in_keys.push_back(input_key(in.path));
  std::vector<FileKey> out_keys;
  for (const FileArg& out : outputs) {
    const FileKey k = output_key(out.path);
    for (size_t i = 0; i < inputs.size(); ++i)
      if (k.same(in_keys[i]))
        throw UserError(fmt::format("{}: is the same file as the input {}; an output never "
                                    "replaces an input", describe(out), describe(inputs[i])));
    for (size_t i = 0; i < out_keys.size(); ++i)
      if (k.same(out_keys[i]))
        throw UserError(k.is_stdout
                            ? fmt::format("{} and {} both write to standard output; give one a file",
                                          describe(outputs[i]), describe(out))
                            : fmt::format("{}: is the same file as the output {}; give each "
                                          "output its own file", describe(out), describe(outputs[i])));
    out_keys.push_back(k);
  }
}

OutputDirectory::OutputDirectory(const std::string& path) : path_(path) {
  if (path.empty()) throw UserError("an output directory path is empty");
  if (is_stdout_path(path))
    throw UserError("-: is standard output, not a directory (this output is a directory of files)");
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = path; !p.empty(); p = p.parent_path()) {
    const fs::file_status s = fs::status(p, ec);
    if (fs::exists(s)) {
      if (!fs::is_directory(s))
        throw UserError(p == fs::path(path)
                            ? fmt::format("{}: cannot create directory: is a file, not a directory", path)
                            : fmt::format("{}: cannot create directory: {} is a file, not a directory",
                                          path, p.string()));
      break;
    }
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0 && errno != EEXIST) {
      const int err = errno;
      for (auto made = created_.rbegin(); made != created_.rend(); ++made) ::rmdir(made->c_str());
      created_.clear();
      throw UserError(fmt::format("{}: cannot create directory: {}", path, std::strerror(err)));
    }
    created_.push_back(it->string());
  }
}

OutputDirectory::~OutputDirectory() {
  if (keep_) return;
  // Files only in a directory this run created: in an existing one they replaced (atomically)
  // what was there, and are complete.
  if (!created_.empty() && created_.back() == path_)
    for (const std::string& f : files_) ::unlink(f.c_str());
  // rmdir removes only empty directories: nothing a user put there is ever deleted.
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
}

std::string OutputDirectory::file(const std::string& name) {
  files_.push_back((fs::path(path_) / name).string());
  return files_.back();
}

}  // namespace h4h
