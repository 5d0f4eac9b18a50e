# find_package(httplib) for Debian's cpp-httplib, which ships a pkg-config file and no CMake
# package. Provides the target httplib::httplib (used by the loopback fake servers in tests).
include(FindPackageHandleStandardArgs)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_CPP_HTTPLIB QUIET cpp-httplib)
endif()
find_path(httplib_INCLUDE_DIR httplib.h HINTS ${PC_CPP_HTTPLIB_INCLUDE_DIRS})
find_library(httplib_LIBRARY NAMES cpp-httplib HINTS ${PC_CPP_HTTPLIB_LIBRARY_DIRS})
find_package_handle_standard_args(httplib REQUIRED_VARS httplib_INCLUDE_DIR
                                  VERSION_VAR PC_CPP_HTTPLIB_VERSION)
if(httplib_FOUND AND NOT TARGET httplib::httplib)
  find_package(Threads REQUIRED)
  find_package(OpenSSL QUIET)
  add_library(httplib::httplib INTERFACE IMPORTED)
  set_target_properties(httplib::httplib PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                                    "${httplib_INCLUDE_DIR}")
  target_link_libraries(httplib::httplib INTERFACE Threads::Threads)
  if(httplib_LIBRARY)
    # The compiled part of Debian's split build; with it, httplib.h is only declarations.
    target_link_libraries(httplib::httplib INTERFACE ${httplib_LIBRARY})
    target_compile_definitions(httplib::httplib INTERFACE ${PC_CPP_HTTPLIB_CFLAGS_OTHER})
  endif()
endif()
mark_as_advanced(httplib_INCLUDE_DIR httplib_LIBRARY)
