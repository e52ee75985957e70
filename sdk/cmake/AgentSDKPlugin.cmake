# agent_sdk_add_plugin(<name> <sources>...)
#
# Builds <name>.so, a plugin the agent host can load, applying the SDK's build rules:
# - hidden visibility, and a version script exporting only the entry symbol(s)
#   agent_plugin_entry_v<major>: nothing else of the plugin can clash with the host or another
#   plugin;
# - -fno-gnu-unique (GCC): otherwise inline statics become STB_GNU_UNIQUE symbols and dlclose()
#   silently keeps the old code mapped, so a reloaded plugin would still run its previous version;
# - no "lib" prefix, ".so" suffix: the file name is the plugin's name.
# The target links AgentSDK::sdk (the C header and the header-only C++ layer).
include_guard(GLOBAL)

# Cached so the function finds its files from any directory scope that calls it.
set(_AGENT_SDK_PLUGIN_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where AgentSDKPlugin.cmake lives")

function(agent_sdk_add_plugin name)
  if(ARGC LESS 2)
    message(FATAL_ERROR "agent_sdk_add_plugin(${name}) needs at least one source file")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE AgentSDK::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-gnu-unique>)
  endif()
  if(NOT APPLE)
    target_link_options(${name} PRIVATE
      "LINKER:--version-script=${_AGENT_SDK_PLUGIN_DIR}/agent_plugin.map"
      "LINKER:--exclude-libs,ALL")
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${_AGENT_SDK_PLUGIN_DIR}/agent_plugin.map")
  endif()
endfunction()
