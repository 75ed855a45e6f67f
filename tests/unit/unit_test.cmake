# syswho_unit_test(NAME SOURCE LIBS...): one cmocka executable, one ctest.
function(syswho_unit_test name source)
	add_executable(${name} ${source})
	target_link_libraries(${name} PRIVATE ${ARGN} PkgConfig::CMOCKA)
	set_target_properties(${name} PROPERTIES
		RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
	add_test(NAME unit.${name} COMMAND ${name})
endfunction()
