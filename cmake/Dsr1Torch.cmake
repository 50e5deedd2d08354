# libtorch for the TorchScript frontend (compiler/frontend/torch).
#
# DSR1_ENABLE_TORCH: AUTO (the default) builds the frontend when libtorch is found, ON requires
# it, OFF never looks. libtorch is the one inside the pip `torch` package: DSR1_TORCH_DIR names
# that package's directory (holding include/ and lib/); by default python3 is asked where torch
# is. The result is DSR1_HAVE_TORCH and, when it is ON, the imported target dsr1::libtorch.
set(DSR1_ENABLE_TORCH AUTO CACHE STRING "Build the TorchScript frontend: AUTO, ON or OFF")
set_property(CACHE DSR1_ENABLE_TORCH PROPERTY STRINGS AUTO ON OFF)
set(DSR1_TORCH_DIR "" CACHE PATH
    "The torch Python package directory (with include/ and lib/); empty: ask python3")
set(DSR1_HAVE_TORCH OFF)

set(_dsr1_torch_hint "pip install torch==2.15.0, then reconfigure (or -DDSR1_TORCH_DIR=...)")
if(NOT DSR1_ENABLE_TORCH STREQUAL "OFF")
  set(_dir "${DSR1_TORCH_DIR}")
  if(NOT _dir)
    execute_process(
      COMMAND ${Python3_EXECUTABLE} -c "import os, torch; print(os.path.dirname(torch.__file__))"
      OUTPUT_VARIABLE _dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  set(_why "")
  if(NOT _dir OR NOT EXISTS "${_dir}/include/torch/script.h")
    set(_why "no torch package with C++ headers (${_dir})")
  else()
    find_library(DSR1_TORCH_CPU_LIBRARY torch_cpu PATHS "${_dir}/lib" NO_DEFAULT_PATH)
    find_library(DSR1_C10_LIBRARY c10 PATHS "${_dir}/lib" NO_DEFAULT_PATH)
    # TORCH_VERSION_MAJOR/MINOR: torch/headeronly/version.h in 2.9+, else
    # torch/csrc/api/include/torch/version.h.
    set(_version "")
    foreach(_header torch/headeronly/version.h torch/csrc/api/include/torch/version.h)
      if(NOT _version AND EXISTS "${_dir}/include/${_header}")
        file(STRINGS "${_dir}/include/${_header}" _lines REGEX "define TORCH_VERSION_M")
        string(REGEX MATCH "MAJOR ([0-9]+)" _m "${_lines}")
        set(_major "${CMAKE_MATCH_1}")
        string(REGEX MATCH "MINOR ([0-9]+)" _m "${_lines}")
        if(_major)
          set(_version "${_major}.${CMAKE_MATCH_1}")
        endif()
      endif()
    endforeach()
    if(NOT DSR1_TORCH_CPU_LIBRARY OR NOT DSR1_C10_LIBRARY)
      set(_why "${_dir}/lib has no libtorch_cpu or libc10")
    elseif(NOT _version OR _version VERSION_LESS 2.1)
      # aten::scaled_dot_product_attention and the TorchScript passes used need 2.1 or newer.
      set(_why "libtorch ${_version} in ${_dir} is older than 2.1")
    endif()
  endif()
  if(NOT _why)
    add_library(dsr1::libtorch INTERFACE IMPORTED)
    target_include_directories(dsr1::libtorch SYSTEM INTERFACE
      "${_dir}/include" "${_dir}/include/torch/csrc/api/include")
    target_link_libraries(dsr1::libtorch INTERFACE "${DSR1_TORCH_CPU_LIBRARY}" "${DSR1_C10_LIBRARY}")
    # The pip wheels of torch 2.7 and later use libstdc++'s C++11 ABI, g++'s
    # default, as dsr1 does; older wheels (the pre-C++11 ABI) do not link.
    set(DSR1_HAVE_TORCH ON)
    # A Python that imports this torch, for the tests that run torch itself:
    # python3 when it found the package, else the virtual environment's.
    if(NOT DSR1_TORCH_PYTHON)
      if(DSR1_TORCH_DIR AND EXISTS "${_dir}/../../../../bin/python")
        get_filename_component(_python "${_dir}/../../../../bin/python" ABSOLUTE)
      else()
        set(_python "${Python3_EXECUTABLE}")
      endif()
      set(DSR1_TORCH_PYTHON "${_python}" CACHE FILEPATH "A Python that imports torch")
    endif()
    message(STATUS "TorchScript frontend: libtorch ${_version} in ${_dir}")
  elseif(DSR1_ENABLE_TORCH STREQUAL "ON")
    message(FATAL_ERROR "DSR1_ENABLE_TORCH=ON but ${_why}: ${_dsr1_torch_hint}")
  else()
    message(STATUS "TorchScript frontend: off, ${_why} (${_dsr1_torch_hint})")
  endif()
endif()
