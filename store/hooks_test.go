package store

// SetTraceRead has s call read after each of a trace's reads, with its
// name: walk, uses, moves, parties, countries. Nil removes it.
func SetTraceRead(s *Store, read func(name string)) { s.traceRead = read }
