//go:build race

package importer

// raceEnabled makes long tests shorter under the race detector.
const raceEnabled = true
