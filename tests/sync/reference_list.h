// The test oracle for text order: a list CRDT written for obviousness, not speed, sharing no code with
// sync/src/text_seq.*. Used by tests/sync/convergence_test.cpp and text_seq_test.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "casepack/operation.h"

namespace casepack::testing {

// The same algorithm the implementation documents (YjsMod / FugueMax, sync/src/text_seq.h), in the plain
// form of Gentle's reference-crdts: one element per code point (tombstones kept), positions by linear
// search. Elements arrive one code point at a time, in any causal order.
class ReferenceList {
 public:
  struct Item {
    OpId id, left, right;
    std::string cp;  // one UTF-8 code point; "" for a tombstone sent without content
  };
  // Index of `id`, if present.
  std::optional<long> Find(OpId id) const {
    for (std::size_t i = 0; i < items_.size(); ++i)
      if (items_[i].id == id) return static_cast<long>(i);
    return std::nullopt;
  }
  bool Has(OpId id) const { return Find(id).has_value(); }
  void Integrate(const Item& item) {
    const long end = static_cast<long>(items_.size());
    const long left = item.left.none() ? -1 : *Find(item.left);
    const long right = item.right.none() ? end : *Find(item.right);
    long dest = left + 1;
    bool scanning = false;
    for (long i = left + 1;; ++i) {
      if (!scanning) dest = i;
      if (i == end || i == right) break;
      const Item& other = items_[static_cast<std::size_t>(i)];
      const long oleft = other.left.none() ? -1 : *Find(other.left);
      const long oright = other.right.none() ? end : *Find(other.right);
      if (oleft < left) break;
      if (oleft == left) {
        if (oright < right) {
          scanning = true;
        } else if (oright == right) {
          if (item.id.replica < other.id.replica) break;
          scanning = false;
        } else {
          scanning = false;
        }
      }
    }
    items_.insert(items_.begin() + dest, item);
  }
  std::string Text(const std::set<OpId>& deleted) const {
    std::string s;
    for (const Item& it : items_)
      if (!deleted.count(it.id)) s += it.cp;
    return s;
  }

 private:
  std::vector<Item> items_;
};

// The UTF-8 code points of `s`, in order.
inline std::vector<std::string> CodePoints(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Integrates `items` (code point id -> item) into a ReferenceList, each as soon as its origins are there,
// and returns the text without `deleted`; sets *error if some origin never arrives.
inline std::string ReplayReference(std::map<OpId, ReferenceList::Item> items, const std::set<OpId>& deleted,
                                   std::string* error) {
  ReferenceList list;
  while (!items.empty()) {
    bool progress = false;
    for (auto it = items.begin(); it != items.end();) {
      const auto& item = it->second;
      if ((item.left.none() || list.Has(item.left)) && (item.right.none() || list.Has(item.right))) {
        list.Integrate(item);
        it = items.erase(it);
        progress = true;
      } else {
        ++it;
      }
    }
    if (!progress) {
      *error = "an inserted code point's origin was never sent";
      break;
    }
  }
  return list.Text(deleted);
}

}  // namespace casepack::testing
