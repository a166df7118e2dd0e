# Per-instruction-set kernels. Every file under cpp/src/kernels/<isa>/ is
# compiled with exactly that ISA's flags into an object library; the rest of
# the library is built for the baseline CPU and reaches these kernels only
# through the run-time dispatch table (cpp/src/runtime/dispatch.cpp).
# Adding NEON on ARM means one more block here and one table entry.
set(CONVCORE_ISA_OBJECTS "")
set(CONVCORE_ISA_DEFINITIONS "")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  foreach(isa avx2 avx512)
    if(isa STREQUAL "avx2")
      set(flags -mavx2 -mfma -mf16c)
    else()
      set(flags -mavx512f -mavx2 -mfma -mf16c)
    endif()
    file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cpp/src/kernels/${isa}/*.cpp)
    add_library(convcore_kernels_${isa} OBJECT ${srcs})
    target_compile_options(convcore_kernels_${isa} PRIVATE ${flags})
    target_include_directories(convcore_kernels_${isa} PRIVATE
      ${CMAKE_CURRENT_SOURCE_DIR}/cpp/include ${CMAKE_CURRENT_SOURCE_DIR}/cpp/src)
    list(APPEND CONVCORE_ISA_OBJECTS $<TARGET_OBJECTS:convcore_kernels_${isa}>)
    string(TOUPPER ${isa} ISA)
    list(APPEND CONVCORE_ISA_DEFINITIONS CONVCORE_HAVE_${ISA}=1)
  endforeach()
endif()

# The layer and optimizer kernels (kernels/<isa>/{layer,optim}_kernels_<isa>.cpp)
# use selects and sqrt in their vectorised loops; GCC if-converts and
# vectorises those only when floating-point operations may be assumed not to
# trap and sqrt not to set errno. Neither is observable through convcore's API.
file(GLOB CONVCORE_LAYER_KERNEL_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/cpp/src/kernels/*/layer_kernels_*.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/cpp/src/kernels/*/optim_kernels_*.cpp)
set_source_files_properties(${CONVCORE_LAYER_KERNEL_SOURCES} PROPERTIES
  COMPILE_OPTIONS "-fno-trapping-math;-fno-math-errno")
