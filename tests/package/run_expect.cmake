# Runs a program and passes when it exits with 0 and its output matches EXPECT.
#   cmake -DPROGRAM=... -DARGS=a;b -DEXPECT=<regex> -P run_expect.cmake
execute_process(COMMAND ${PROGRAM} ${ARGS} OUTPUT_VARIABLE out ERROR_VARIABLE err
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${rc}:\n${out}${err}")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "${PROGRAM}: the output does not match '${EXPECT}':\n${out}${err}")
endif()
