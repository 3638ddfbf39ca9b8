// Package demo generates the demo company: a field-sales team selling to
// small businesses around Denver, Colorado, with accounts on the map, users of
// every role, territories and six months of customer journeys, so that every
// feature of Meridian has something true to show.
//
// Generate is deterministic: the same Options give the same Dataset, byte for
// byte. Randomness comes from a PCG generator seeded from Options.Seed, and
// nothing depends on map iteration order or the wall clock; the time the data
// ends is Options.Now.
//
// The geography is real: accounts sit near real US ZIP centroids that the
// caller passes in (from the embedded gazetteer), so the map, the clustering
// and the territory assignment behave as they would on customer data. The
// territories are a central disc (downtown Denver) and five annular sectors
// around it that together cover the whole metro without overlapping.
//
// The journeys follow a plausible funnel (first contact, research, demo,
// quote, sale, onboarding) whose drop-off depends on the first-touch channel
// and the campaign variant: referrals convert best and ads worst, and email
// variant B converts noticeably better than A while the two ad variants are
// about equal. Each account's stage, last visit and next follow-up agree with
// its interactions.
//
// The package is pure: no I/O, no database. Package app loads a Dataset.
package demo
