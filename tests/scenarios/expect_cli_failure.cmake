# Runs the real `hyseis` binary on a bad input and checks: exit code EXPECT_CODE, stderr
# matching EXPECT_REGEX, and no output directory (neither OUT nor OUT.partial) left behind.
# cmake -DHYSEIS=... -DARGS="run;file.yaml" -DOUT=dir -DEXPECT_CODE=2 -DEXPECT_REGEX=... -P this
file(REMOVE_RECURSE "${OUT}" "${OUT}.partial")
execute_process(COMMAND ${HYSEIS} ${ARGS} --out ${OUT}
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("exit code: ${code}\nstderr: ${err}")
if(NOT code EQUAL EXPECT_CODE)
  message(FATAL_ERROR "expected exit code ${EXPECT_CODE}, got ${code}")
endif()
if(NOT err MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_REGEX}'")
endif()
if(EXISTS "${OUT}" OR EXISTS "${OUT}.partial")
  message(FATAL_ERROR "output directory left behind: ${OUT}")
endif()
