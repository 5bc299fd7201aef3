package migrations

// Exported for tests that stop part way, to put rows in place before a
// migration that must carry them over.
var (
	ApplyOne           = applyOne
	CreateVersionTable = createVersionTable
)
