# Renames, in the static libswaprun.a, every global C symbol it defines that is not
# the C API (stb_image's stbi_*, volk's vk* function pointers, ...) to swaprun_<name>,
# definitions and references alike: an application with its own stb or its own
# Vulkan loader links both without a clash. (The shared library hides them instead,
# with its version script.) C++ symbols live in namespace swaprun.
#   cmake -DARCHIVE=... -DNM=... -DOBJCOPY=... -P localize_c_symbols.cmake
execute_process(COMMAND ${NM} -g --defined-only ${ARCHIVE}
                OUTPUT_VARIABLE symbols ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm ${ARCHIVE} failed")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${symbols}")
set(renames "")
foreach(line ${lines})
  if(line MATCHES "^[0-9a-f]+ [A-Za-z] ([A-Za-z_][A-Za-z0-9_]*)$")
    set(name ${CMAKE_MATCH_1})
    if(NOT name MATCHES "^(_Z|swr_|swaprun_)")
      string(APPEND renames "${name} swaprun_${name}\n")
    endif()
  endif()
endforeach()
get_filename_component(dir ${ARCHIVE} DIRECTORY)
set(map ${dir}/swaprun_static_renames.txt)
file(WRITE ${map} "${renames}")
execute_process(COMMAND ${OBJCOPY} --redefine-syms=${map} ${ARCHIVE} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objcopy --redefine-syms on ${ARCHIVE} failed")
endif()
