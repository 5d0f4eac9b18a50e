// Reading a struct a plugin hands over: only the part both sides know is copied, so a plugin
// built against an older minor (a shorter struct) reads as zeros/NULLs in the fields it lacks,
// and one built against a newer minor never makes the host read past what it knows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

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

// "struct_size is 0, below ABI 1.0's smallest, 68 (set it to sizeof(ot_descriptor))": a
// struct_size left at 0 would otherwise read as missing fields.
inline std::string struct_size_below_10(const char* type, uint32_t struct_size,
                                        std::size_t smallest) {
    return "struct_size is " + std::to_string(struct_size) + ", below ABI 1.0's smallest, " +
           std::to_string(smallest) + " (set it to sizeof(" + type + "))";
}

}  // namespace orchestrade::core
