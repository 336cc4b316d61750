package finding

// Checks is the registry, for the tests.
func Checks() []Check { return checks }
