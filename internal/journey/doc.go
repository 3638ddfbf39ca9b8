// Package journey holds personas and customer journey maps.
//
// A persona is a sketch of a kind of customer: who they are
// (demographics), how they think (psychographics), how they buy
// (behaviours), what they want and what hurts, and optionally a rule over
// account fields that says which accounts the persona stands for.
//
// A journey map follows one persona through stages in order (Discovery,
// Comparing, … Post-Purchase). Each stage has the classic lanes: what the
// customer does (actions), thinks (thoughts) and feels (emotion, −2..+2),
// wants (goals), where they meet the company (touchpoints, each on a
// channel), who on the company's side is responsible (owners), what goes
// wrong (pain points), what could be better (opportunities) and the KPIs
// that say how the stage is doing. A stage's entry rule is an interaction
// filter (`type=test_drive`): an account enters the stage with its first
// matching interaction, which is what binds the map to real data (see
// Meter).
//
// A journey is kept as a Document, the interchange JSON of
// docs/journeys.md; every save is a new immutable Version. Nothing here
// does I/O: stores implement Store, and the renderer lives in
// journey/render.
package journey
