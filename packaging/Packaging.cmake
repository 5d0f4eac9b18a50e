# Debian packages with CPack. In a configured build tree:
#   cpack -G DEB                     (or: cpack --config CPackConfig.cmake -B <output dir>)
# makes two packages from the install components:
#   orchestrade      runtime, plugins, examples, docs: bin/orchestrade, lib/orchestrade/plugins,
#                    share/orchestrade/examples (the demo's data), share/doc/orchestrade
#   orchestrade-dev  sdk: include/orchestrade and lib/cmake/Orchestrade, for building plugins
# Files land under /usr. The binary looks for its plugins and data relative to itself first
# (../lib/orchestrade/plugins, ../share/orchestrade), so it needs no flags there, nor in a tree
# unpacked with dpkg-deb -x. orchestrade-dev's package config records that plugin folder
# (ORCHESTRADE_INSTALL_PLUGINDIR), so a plugin built with -DCMAKE_INSTALL_PREFIX=/usr installs into
# /usr/lib/orchestrade/plugins whatever its CMAKE_INSTALL_LIBDIR. Runtime dependencies are
# computed by dpkg-shlibdeps (dpkg-dev) from the libraries the binary and the plugins link on the
# build machine.
include_guard(GLOBAL)

set(ORCHESTRADE_PACKAGE_CONTACT "Orchestrade maintainers <maintainers@orchestrade.invalid>"
    CACHE STRING "Maintainer field of the Debian packages")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME orchestrade)
set(CPACK_PACKAGE_VENDOR Orchestrade)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ORCHESTRADE_PACKAGE_CONTACT}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

# One package per component group.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
foreach(component runtime plugins examples docs)
  string(TOUPPER ${component} upper)
  set(CPACK_COMPONENT_${upper}_GROUP host)
endforeach()
set(CPACK_COMPONENT_SDK_GROUP dev)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_HOST_PACKAGE_NAME orchestrade)
set(CPACK_DEBIAN_HOST_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_HOST_DESCRIPTION
  "algorithmic-trading host with feed, strategy and executor plugins
Orchestrade loads feed, strategy and executor plugins (shared libraries with a
stable C ABI), wires them together from a pipeline file and runs one loop that is
the same in backtest, paper and live mode. Every order intent is journaled in
SQLite before it is sent.
This package holds the orchestrade command, the first-party plugins, example
pipelines with sample data, and the documentation.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME orchestrade-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "orchestrade (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake (>= 3.20), g++ | c++-compiler")
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "SDK for Orchestrade plugins
The C ABI header (orchestrade/ot_plugin.h), the header-only C++ SDK and the CMake
package: find_package(Orchestrade) and orchestrade_add_plugin() build a plugin
that the orchestrade command loads. The plugin author's guide is in
/usr/share/doc/orchestrade/plugin-guide.md.")

include(CPack)
