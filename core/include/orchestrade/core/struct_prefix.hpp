// Reading a struct a plugin hands over: only the part both sides know is copied, so a plugin
// built against an older minor (a shorter struct) reads as zeros/NULLs in the fields it lacks,
// and one built against a newer minor never makes the host read past what it knows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace orchestrade::core {

template <class T>
T read_prefix(const T* p) {
    if (p && p->struct_size == sizeof(T)) return *p;  // same minor: the common case, per bar
    T out{};
    if (p) std::memcpy(&out, p, std::min<std::size_t>(p->struct_size, sizeof(T)));
    return out;
}

// Whether a struct of the given size holds the field at `offset` of `size` bytes.
constexpr bool holds(std::size_t struct_size, std::size_t offset, std::size_t size) {
    return offset + size <= struct_size;
}

}  // namespace orchestrade::core
