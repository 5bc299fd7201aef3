package registry

// MaxChainDepth is how many links deep every walk down or up a chain goes
// (chains, responsibility, traces, the checks' reach): deeper than any real
// subcontracting, and a bound on what a cycle the walk did not catch could
// cost. Each walk stops at a link back to a party already on its path.
const MaxChainDepth = 50
