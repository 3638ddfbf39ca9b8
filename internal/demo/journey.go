package demo

import (
	"math"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
)

// The journey stages an Interaction.Stage marks, in funnel order.
const (
	StageFirstContact = "first_contact"
	StageResearch     = "research"
	StageDemo         = "demo"
	StageQuote        = "quote"
	StageSale         = "sale"
	StageOnboarding   = "onboarding"
)

// JourneyStages are the journey stages in funnel order.
var JourneyStages = []string{StageFirstContact, StageResearch, StageDemo, StageQuote, StageSale, StageOnboarding}

// PipelineStage returns the default-pipeline stage of an account whose
// furthest journey stage is journeyStage: first_contact → lead, research →
// contacted, demo → qualified, quote → proposal, sale and onboarding →
// customer. An account with a not_interested visit or an interaction with
// outcome "lost" is in stage "lost" instead.
func PipelineStage(journeyStage string) string {
	switch journeyStage {
	case StageResearch:
		return "contacted"
	case StageDemo:
		return "qualified"
	case StageQuote:
		return "proposal"
	case StageSale, StageOnboarding:
		return "customer"
	}
	return "lead"
}

// Visit outcomes.
const (
	NoAnswer      = "no_answer"
	NotInterested = "not_interested"
	FollowUp      = "follow_up"
	Appointment   = "appointment"
	Sale          = "sale"
	Lost          = "lost" // the outcome of a call or email that ends a deal
)

// First-touch channels and how often each brings a lead.
var (
	channels       = []string{"ad", "web", "email", "event", "referral", "visit"}
	channelWeights = []float64{24, 20, 20, 9, 10, 17}
)

// researchRate is the share of first contacts, by channel and variant, that
// go on to research the company.
var researchRate = map[string]float64{
	"ad/A": 0.32, "ad/B": 0.33, "web/": 0.72, "email/A": 0.40, "email/B": 0.58,
	"event/": 0.68, "referral/": 0.85,
}

// quality scales the later conversion rates by channel and variant.
var quality = map[string]float64{
	"ad/A": 0.75, "ad/B": 0.76, "web/": 1.0, "email/A": 0.88, "email/B": 1.0,
	"event/": 1.1, "referral/": 1.45, "visit/": 1.1,
}

// firstTypes name the first touchpoint by channel.
var firstTypes = map[string]string{
	"ad": "ad_click", "web": "web_form", "email": "email_click", "event": "trade_show", "referral": "referral",
}

// trip is one account's journey being generated.
type trip struct {
	g       *gen
	a       *acct
	ins     []Interaction
	reached int       // index into JourneyStages of the furthest stage marked; -1 none
	lost    bool      // the account was explicitly lost
	until   time.Time // newsletters stop here: at the demo or the loss
}

// journey generates a's interactions, appends them to out and sets a's
// stage, dates and last visit to agree with them.
func (g *gen) journey(a *acct, out []Interaction) []Interaction {
	j := &trip{g: g, a: a, reached: -1}
	j.run()
	j.newsletters()
	j.finish()
	return append(out, j.ins...)
}

// add records an interaction at t, unless t is after now; it returns nil then.
// Rep-made interactions (rep true) carry the visiting rep's email.
func (j *trip) add(t time.Time, channel, typ, outcome, stage string, rep bool) *Interaction {
	if t.After(j.g.now) {
		return nil
	}
	in := Interaction{AccountExternalID: j.a.ExternalID}
	in.At, in.Channel, in.Type, in.Outcome, in.Stage, in.Source = t, channel, typ, outcome, stage, "demo"
	if rep {
		in.UserEmail = j.a.visitor
	}
	if stage != "" {
		for i, s := range JourneyStages {
			if s == stage && i > j.reached {
				j.reached = i
			}
		}
	}
	if outcome == NotInterested || outcome == Lost {
		j.lost = true
		if j.until.IsZero() {
			j.until = t
		}
	}
	j.ins = append(j.ins, in)
	return &j.ins[len(j.ins)-1]
}

// visit records a field visit by the account's rep near the account.
func (j *trip) visit(t time.Time, typ, outcome, stage string) *Interaction {
	in := j.add(t, "visit", typ, outcome, stage, true)
	if in == nil {
		return nil
	}
	r, a := j.g.uniform(5, 60), j.g.uniform(0, 2*math.Pi)
	p := geo.Offset(j.a.loc, r*math.Cos(a), r*math.Sin(a))
	in.Location = &p
	if notes := visitNotes[outcome]; len(notes) > 0 && j.g.chance(0.7) {
		in.Notes = pick(j.g, notes)
	}
	return in
}

// run walks the funnel, dropping out by the channel's rates.
func (j *trip) run() {
	g, a := j.g, j.a
	ch := channels[g.weighted(channelWeights)]
	variant := ""
	if ch == "ad" || ch == "email" {
		variant = pick(g, []string{"A", "B"})
	}
	a.SourceChannel = ch
	key := ch + "/" + variant
	f := quality[key]
	t := g.firstContact(ch == "visit" || ch == "event")

	pResearch, skipResearch := researchRate[key], false
	if ch == "visit" {
		out := pickWeighted(g, []string{NoAnswer, NotInterested, FollowUp, Appointment}, []float64{38, 22, 25, 15})
		j.visit(t, "door_knock", out, StageFirstContact)
		if out == NoAnswer && g.chance(0.6) {
			t = g.later(t, 2, 10, true)
			out = pickWeighted(g, []string{NoAnswer, NotInterested, FollowUp, Appointment}, []float64{35, 20, 30, 15})
			if j.visit(t, "door_knock", out, "") == nil {
				return
			}
		}
		switch out {
		case NotInterested:
			return
		case NoAnswer:
			j.stall(t)
			return
		case Appointment:
			pResearch, skipResearch = 0.85, true
		case FollowUp:
			pResearch = 0.55
		}
	} else {
		in := j.add(t, ch, firstTypes[ch], "", StageFirstContact, false)
		in.Variant = variant
		month := t.Format("2006-01")
		switch ch {
		case "ad":
			in.Properties = map[string]string{"campaign": "search-ads-" + month}
		case "email":
			in.Properties = map[string]string{"campaign": "outreach-" + month}
		case "web":
			in.Properties = map[string]string{"page": "/contact", "referrer": pick(g, []string{"google", "google", "bing", "yelp", "direct"})}
		case "event":
			in.Properties = map[string]string{"event": pick(g, events)}
		case "referral":
			in.Properties = map[string]string{"referred_by": pick(g, referrers)}
		}
	}
	if !g.chance(pResearch) {
		j.stall(t)
		return
	}

	if !skipResearch {
		t = g.later(t, 0.5, 12, false)
		for k := range 1 + g.rng.IntN(5) {
			if k > 0 {
				t = g.later(t, 0.05, 5, false)
			}
			in := j.add(t, "web", "web_visit", "", StageResearch, false)
			if in == nil {
				return
			}
			in.Properties = map[string]string{"page": pick(g, pages)}
		}
		if !g.chance(math.Min(0.95, 0.5*f)) {
			j.stall(t)
			return
		}
		// The rep books the demo.
		t = g.later(t, 1, 12, true)
		if g.chance(0.7) {
			if j.add(t, "phone", "discovery_call", Appointment, "", true) == nil {
				return
			}
		} else {
			if g.chance(0.3) {
				if j.visit(t, "follow_up_visit", NoAnswer, "") == nil {
					return
				}
				t = g.later(t, 1, 6, true)
			}
			if j.visit(t, "follow_up_visit", Appointment, "") == nil {
				return
			}
		}
	}

	t = g.later(t, 1, 8, true)
	var demo *Interaction
	if g.chance(0.6) {
		demo = j.visit(t, "demo", FollowUp, StageDemo)
	} else {
		demo = j.add(t, "video", "demo", "", StageDemo, true)
	}
	if demo == nil {
		return
	}
	if j.until.IsZero() {
		j.until = t
	}
	if !g.chance(math.Min(0.95, 0.62*math.Sqrt(f))) {
		j.stall(t)
		return
	}

	t = g.later(t, 2, 12, true)
	quote := math.Max(500, math.Round(a.EstimatedValue*math.Exp(0.15*g.rng.NormFloat64())/10)*10)
	var q *Interaction
	if g.chance(0.7) {
		q = j.add(t, "email", "quote", "", StageQuote, true)
	} else {
		q = j.visit(t, "quote", FollowUp, StageQuote)
	}
	if q == nil {
		return
	}
	q.Value = quote
	if g.chance(0.5) {
		t = g.later(t, 1, 10, true)
		if j.add(t, "phone", "negotiation", "", "", true) == nil {
			return
		}
	}
	if !g.chance(math.Min(0.95, 0.5*math.Sqrt(f))) {
		j.stall(t)
		return
	}

	t = g.later(t, 3, 25, true)
	sale := j.visit(t, "sale", Sale, StageSale)
	if sale == nil {
		return
	}
	sale.Value = math.Round(quote*g.uniform(0.85, 1.0)/10) * 10
	if !g.chance(0.93) {
		return
	}
	t = g.later(t, 2, 12, true)
	if j.add(t, "video", "onboarding", "", StageOnboarding, true) == nil {
		return
	}
	if g.chance(0.4) {
		j.add(g.later(t, 20, 45, true), "phone", "check_in", "", "", true)
	}
}

// stall ends a journey that stopped after t: the rep may try again, and the
// account may say no, the more likely the further it got.
func (j *trip) stall(t time.Time) {
	g := j.g
	if g.chance(0.55) {
		for range 1 + g.rng.IntN(2) {
			t = g.later(t, 5, 30, true)
			if j.visit(t, "follow_up_visit", pick(g, []string{NoAnswer, FollowUp}), "") == nil {
				return
			}
		}
	}
	pLoss := []float64{0.12, 0.18, 0.45, 0.55}[min(max(j.reached, 0), 3)]
	if !g.chance(pLoss) {
		return
	}
	t = g.later(t, 3, 30, true)
	switch {
	case j.reached <= 1 && g.chance(0.4):
		if j.add(t, "email", "unsubscribe", Lost, "", false) != nil {
			j.a.DoNotContact = true
		}
	case j.reached <= 1 || g.chance(0.45):
		j.visit(t, "follow_up_visit", NotInterested, "")
	default:
		typ := "closed_lost"
		if j.reached >= 3 {
			typ = "quote_declined"
		}
		if in := j.add(t, "phone", typ, Lost, "", true); in != nil {
			in.Notes = pick(g, lostReasons)
		}
	}
}

// newsletters sends some leads the monthly newsletter until they book a
// demo, are lost or now.
func (j *trip) newsletters() {
	g := j.g
	if j.a.SourceChannel == "visit" || !g.chance(0.65) {
		return
	}
	until := j.until
	if until.IsZero() {
		until = g.now
	}
	t := j.ins[0].At
	for range 1 + g.rng.IntN(4) {
		t = g.later(t, 7, 30, false)
		if !t.Before(until) {
			return
		}
		in := j.add(t, "email", "newsletter", pickWeighted(g, []string{"", "opened", "clicked"}, []float64{50, 35, 15}), "", false)
		if in == nil {
			return
		}
		in.Properties = map[string]string{"campaign": "newsletter-" + t.Format("2006-01")}
	}
}

// finish sets the account's stage, dates and last visit from its journey.
func (j *trip) finish() {
	a := j.a
	a.CreatedAt = j.ins[0].At
	a.Stage = PipelineStage(JourneyStages[j.reached])
	if j.lost {
		a.Stage = "lost"
	}
	for _, in := range j.ins {
		if in.At.After(a.UpdatedAt) {
			a.UpdatedAt = in.At
		}
		if in.Channel == "visit" && !in.At.Before(a.LastVisitAt) {
			a.LastVisitAt, a.LastVisitResult = in.At, in.Outcome
		}
	}
	if a.LastVisitResult == FollowUp && a.Stage != "customer" && a.Stage != "lost" {
		a.NextFollowUpAt = j.g.workHours(a.LastVisitAt.AddDate(0, 0, 5+j.g.rng.IntN(10)))
	}
}

// firstContact returns when a new account is first contacted: any time in the
// window, during working hours for visits and events.
func (g *gen) firstContact(work bool) time.Time {
	t := g.now.Add(-time.Duration(g.rng.Float64() * float64(Window)))
	if work {
		t = g.workHours(t)
	} else {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		t = day.Add(time.Duration(g.uniform(12, 29) * float64(time.Hour))) // 5:00 to 22:00 in Denver
	}
	for t.After(g.now) {
		t = t.AddDate(0, 0, -7)
	}
	return t.Truncate(time.Minute)
}

// later returns a time lo to hi days after t, more likely early, during
// working hours on a weekday when work is set.
func (g *gen) later(t time.Time, lo, hi float64, work bool) time.Time {
	d := lo + (hi-lo)*math.Pow(g.rng.Float64(), 1.6)
	u := t.Add(time.Duration(d * float64(24*time.Hour)))
	if work {
		u = g.workHours(u)
	}
	if !u.After(t.Add(time.Minute)) {
		u = t.Add(time.Duration(30+g.rng.IntN(150)) * time.Minute)
	}
	return u.Truncate(time.Minute)
}

// workHours moves t to a time between 8:00 and 16:30 in Denver (15:00 to
// 23:30 UTC) on the same day, or the Monday after a weekend.
func (g *gen) workHours(t time.Time) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch day.Weekday() {
	case time.Saturday:
		day = day.AddDate(0, 0, 2)
	case time.Sunday:
		day = day.AddDate(0, 0, 1)
	}
	return day.Add(time.Duration(g.uniform(15, 23.5) * float64(time.Hour))).Truncate(time.Minute)
}

// pickWeighted returns one of s with probability proportional to w.
func pickWeighted(g *gen, s []string, w []float64) string { return s[g.weighted(w)] }
