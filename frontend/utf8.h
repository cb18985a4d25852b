#pragma once
// UTF-8 checks for text that comes from the user's files (ONNX names, YAML, paths): names
// end up in one-line error messages, JSON (which must be valid UTF-8) and CSV, so bytes that
// are not UTF-8, and control characters, are escaped as \xNN before they get there.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace h4h {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if the bytes there are not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid, as RFC 3629 says).
inline size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0;
  if ((c & 0xE0) == 0xC0)
    n = 2, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    n = 3, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    n = 4, min = 0x10000;
  else
    return 0;
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Offset of the first byte that does not start a valid UTF-8 sequence, or nullopt.
inline std::optional<size_t> first_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

// `s` with every byte that is not part of valid UTF-8, and every control character except
// line breaks and tabs (which callers join into one line), written as \xNN. Valid text,
// including non-ASCII UTF-8, is returned unchanged.
inline std::string escape_unprintable(std::string_view s, bool keep_line_breaks = true) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence_length(s, i);
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool control =
        n == 1 && (c < 0x20 || c == 0x7F) && !(keep_line_breaks && (c == '\n' || c == '\t'));
    if (n == 0 || control) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// `text` without a leading UTF-8 byte-order mark (Excel and Notepad write one; the SCALE-Sim
// readers, like Python's "utf-8-sig", skip it).
inline std::string_view strip_utf8_bom(std::string_view text) {
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  return text.substr(0, bom.size()) == bom ? text.substr(bom.size()) : text;
}

}  // namespace h4h
