# Include paths that follow the layers. No library exports the source tree:
# each one publishes its own headers under ${CMAKE_BINARY_DIR}/include/<target>/
# as symbolic links named the way sources include them (db -> server/db, so
# `#include "db/Database.h"` keeps working), and exports only that directory.
# A library therefore sees the headers of what it links and nothing else:
# including a header of a layer it does not link fails to compile.
# (Sources still find headers of their own directory by relative name.)
#
#   messenger_publish_headers(<target> <include name>=<path from the source root> ...)
#
# e.g. messenger_publish_headers(messenger-storage db=server/db)
#      messenger_publish_headers(messenger-core core=server/core)
function(messenger_publish_headers target)
    set(root "${CMAKE_BINARY_DIR}/include/${target}")
    # Rebuilt on every configure, so a link dropped from the list disappears.
    # (REMOVE_RECURSE removes symbolic links, it does not follow them.)
    file(REMOVE_RECURSE "${root}")
    foreach(mapping IN LISTS ARGN)
        string(FIND "${mapping}" "=" split)
        if(split LESS 1)
            message(FATAL_ERROR "messenger_publish_headers: '${mapping}' is not <name>=<path>")
        endif()
        string(SUBSTRING "${mapping}" 0 ${split} name)
        math(EXPR after "${split} + 1")
        string(SUBSTRING "${mapping}" ${after} -1 source)
        set(source "${PROJECT_SOURCE_DIR}/${source}")
        if(NOT EXISTS "${source}")
            message(FATAL_ERROR "messenger_publish_headers: ${source} does not exist")
        endif()
        set(link "${root}/${name}")
        cmake_path(GET link PARENT_PATH parent)
        file(MAKE_DIRECTORY "${parent}")
        file(CREATE_LINK "${source}" "${link}" SYMBOLIC)
    endforeach()
    target_include_directories(${target} PUBLIC "${root}")
endfunction()
