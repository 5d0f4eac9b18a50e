# orchestrade_add_plugin(<name> SOURCES ... [LINK_LIBRARIES ...] [OUTPUT_NAME ...])
#   Builds a plugin library: a MODULE with hidden visibility that exports only
#   ot_module_entry_v1 and links with -z defs (no undefined symbols: a plugin never links the
#   host). C and C++ sources both work.
# orchestrade_install_plugin(<name>)
#   Installs it where the orchestrade CLI looks: <prefix>/${ORCHESTRADE_INSTALL_PLUGINDIR}, the
#   host's plugin folder that the package config records (lib/orchestrade/plugins), whatever this
#   project's CMAKE_INSTALL_LIBDIR is.
include_guard(GLOBAL)
include(GNUInstallDirs)

function(orchestrade_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_NAME" "SOURCES;LINK_LIBRARIES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "orchestrade_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE orchestrade::sdk ${ARG_LINK_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_NAME)
    set_target_properties(${name} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  if(ORCHESTRADE_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${ORCHESTRADE_PLUGIN_OUTPUT_DIRECTORY})
  endif()
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_options(${name} PRIVATE
      "LINKER:--version-script=${CMAKE_CURRENT_FUNCTION_LIST_DIR}/orchestrade_plugin.map"
      "LINKER:-z,defs")
  endif()
endfunction()

function(orchestrade_install_plugin name)
  if(NOT ORCHESTRADE_INSTALL_PLUGINDIR)
    message(FATAL_ERROR "orchestrade_install_plugin(${name}): ORCHESTRADE_INSTALL_PLUGINDIR is "
                        "not set (find_package(Orchestrade) sets it)")
  endif()
  install(TARGETS ${name}
    LIBRARY DESTINATION ${ORCHESTRADE_INSTALL_PLUGINDIR} COMPONENT plugins
    RUNTIME DESTINATION ${ORCHESTRADE_INSTALL_PLUGINDIR} COMPONENT plugins)
endfunction()
