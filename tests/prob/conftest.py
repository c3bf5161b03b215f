"""tests/prob: every module's ``BAD`` table parametrizes its ``test_bad_input(make, err, match)``.

A row is (call, error type, pattern the message must match), so the bad inputs of each public
function are listed beside the tests of that function.
"""


def pytest_generate_tests(metafunc):
    if metafunc.definition.name == "test_bad_input":
        metafunc.parametrize("make, err, match", metafunc.module.BAD)
