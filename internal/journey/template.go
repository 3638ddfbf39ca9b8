package journey

import (
	"sort"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Template is a ready-made journey to start from.
type Template struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	build       func() *Document
}

// Document returns a fresh copy of the template's journey (a draft with no
// owner).
func (t Template) Document() *Document {
	d := t.build()
	d.Normalize()
	return d
}

var templates = map[string]Template{
	"b2b_sale":     {Name: "b2b_sale", Title: "B2B sale", Description: "A business buyer from first contact through research, demo, quote and sale to onboarding; the entry rules follow the interactions' journey stage, as the demo data and most CRM exports mark it.", build: b2bSale},
	"field_sale":   {Name: "field_sale", Title: "Door-to-door field sale", Description: "A household met at the door: the knock, the conversation, the appointment, the close and the follow-up, measured from visit outcomes.", build: fieldSale},
	"car_purchase": {Name: "car_purchase", Title: "Family car purchase", Description: "A family choosing a new car: Discovery, Comparing, Considering, Purchase and Post-Purchase.", build: carPurchase},
}

// Templates lists the templates by name.
func Templates() []Template {
	out := make([]Template, 0, len(templates))
	for _, t := range templates {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TemplateByName returns a template, or NotFound naming the ones there are.
func TemplateByName(name string) (Template, error) {
	t, ok := templates[name]
	if !ok {
		return Template{}, derrors.NotFoundf("template %q not found (templates: b2b_sale, car_purchase, field_sale)", name)
	}
	return t, nil
}

func carPurchase() *Document {
	return &Document{
		Name:            "Family car purchase",
		Status:          StatusDraft,
		ReviewEveryDays: 90,
		Persona: Persona{
			Name:        "Growing family",
			Quote:       "We need something safe that fits two car seats and a dog.",
			Description: "A couple in their thirties expecting a second child; their small hatchback no longer fits.",
			Demographics: map[string]string{
				"age": "32–40", "family": "two adults, two children", "income": "household 70–110k", "location": "suburbs",
			},
			Psychographics: Psychographics{Personality: "careful, research-driven", Lifestyle: "busy weekdays, outdoor weekends", Values: "safety, reliability, value for money", SocialClass: "middle class"},
			Behaviours:     Behaviours{PurchaseFrequency: "a new car every 7–10 years", Habits: []string{"reads reviews and forums", "asks friends and family"}, PreferredChannels: []string{"web", "visit", "phone"}},
			Goals:          []string{"a safe, roomy car within budget", "a dealer they can trust for service"},
			PainPoints:     []string{"pushy salespeople", "hidden costs", "too little time to visit dealers"},
		},
		Stages: []Stage{
			{
				Name: "Discovery", Emotion: 1,
				Actions:       []string{"notices the car no longer fits the family", "browses brands online"},
				Thoughts:      []string{"What can we afford?", "Which cars are safest?"},
				Goals:         []string{"understand the options"},
				Touchpoints:   []Touchpoint{{"Social ad", "social"}, {"Brand website", "web"}, {"Friend's recommendation", "referral"}},
				Owners:        []string{"Marketing"},
				PainPoints:    []string{"too many models to compare"},
				Opportunities: []string{"family-size guide on the website"},
				KPIs:          []KPI{{"Website visitors", 100, "accounts"}},
				Entry:         "type=web_visit",
			},
			{
				Name: "Comparing", Emotion: 0,
				Actions:       []string{"configures two or three models", "reads reviews and safety ratings"},
				Thoughts:      []string{"Is the bigger boot worth the price?"},
				Goals:         []string{"a shortlist of two cars"},
				Touchpoints:   []Touchpoint{{"Online configurator", "web"}, {"Review sites", "web"}, {"Brochure email", "email"}},
				Owners:        []string{"Marketing", "Digital"},
				PainPoints:    []string{"prices differ between sites"},
				Opportunities: []string{"side-by-side comparison with total cost of ownership"},
				KPIs:          []KPI{{"Configurator conversion", 50, "%"}},
				Entry:         "type=configurator",
			},
			{
				Name: "Considering", Emotion: -1,
				Actions:       []string{"books a test drive", "asks for a quote", "checks finance"},
				Thoughts:      []string{"Will the salesperson pressure us?", "Can we trade in the old car?"},
				Goals:         []string{"feel the car on the road", "a fair price"},
				Touchpoints:   []Touchpoint{{"Test drive", "visit"}, {"Sales call", "phone"}},
				Owners:        []string{"Dealer sales"},
				PainPoints:    []string{"waiting for a test-drive slot", "unclear trade-in value"},
				Opportunities: []string{"home test drives", "instant trade-in estimate"},
				KPIs:          []KPI{{"Test-drive rate", 40, "%"}, {"Days from configuring", 7, "days"}},
				Entry:         "type=test_drive",
			},
			{
				Name: "Purchase", Emotion: 2,
				Actions:       []string{"negotiates", "signs the contract", "arranges finance"},
				Thoughts:      []string{"Did we get a good deal?"},
				Goals:         []string{"a clear contract and a delivery date"},
				Touchpoints:   []Touchpoint{{"Dealership", "visit"}, {"Contract by email", "email"}},
				Owners:        []string{"Dealer sales", "Finance"},
				PainPoints:    []string{"paperwork takes hours"},
				Opportunities: []string{"sign online before pick-up"},
				KPIs:          []KPI{{"Close rate", 70, "%"}},
				Entry:         "type=purchase",
			},
			{
				Name: "Post-Purchase", Emotion: 1,
				Actions:       []string{"takes delivery", "books the first service"},
				Thoughts:      []string{"Will the dealer look after us?"},
				Goals:         []string{"trouble-free ownership"},
				Touchpoints:   []Touchpoint{{"Handover", "visit"}, {"Service reminder", "sms"}, {"Satisfaction survey", "email"}},
				Owners:        []string{"After-sales"},
				PainPoints:    []string{"service slots weeks away"},
				Opportunities: []string{"first service booked at handover"},
				KPIs:          []KPI{{"Satisfaction", 4.5, "stars"}, {"Service retention", 75, "%"}},
				Entry:         "type=service_visit",
			},
		},
	}
}

func b2bSale() *Document {
	return &Document{
		Name:            "B2B sale",
		Status:          StatusDraft,
		ReviewEveryDays: 90,
		Persona: Persona{
			Name:           "Operations manager",
			Quote:          "Show me it works for a company like ours.",
			Description:    "Runs operations at a mid-sized company and owns the budget for tools the team uses every day.",
			Demographics:   map[string]string{"company size": "50–500 employees", "role": "operations manager", "location": "regional"},
			Psychographics: Psychographics{Personality: "pragmatic, risk-averse", Lifestyle: "back-to-back meetings", Values: "proven results, good support", SocialClass: "professional"},
			Behaviours:     Behaviours{PurchaseFrequency: "one large purchase a year", Habits: []string{"asks peers", "wants a trial"}, PreferredChannels: []string{"email", "visit", "event"}},
			Goals:          []string{"cut manual work", "a tool the team adopts"},
			PainPoints:     []string{"long procurement", "vendors who disappear after the sale"},
		},
		Stages: []Stage{
			{Name: "Awareness", Emotion: 0, Actions: []string{"sees an ad or meets the company at an event"}, Thoughts: []string{"Is this relevant to us?"}, Goals: []string{"learn what is out there"},
				Touchpoints: []Touchpoint{{"Campaign ad", "ad"}, {"Trade fair", "event"}, {"Newsletter", "email"}}, Owners: []string{"Marketing"}, PainPoints: []string{"generic messages"},
				Opportunities: []string{"industry-specific campaigns"}, KPIs: []KPI{{"New leads", 500, "accounts"}}, Entry: "stage=first_contact"},
			{Name: "Research", Emotion: 0, Actions: []string{"reads the website and case studies"}, Thoughts: []string{"Who else uses this?"}, Goals: []string{"a shortlist of vendors"},
				Touchpoints: []Touchpoint{{"Website", "web"}, {"Case studies", "web"}}, Owners: []string{"Marketing"}, PainPoints: []string{"no prices online"},
				Opportunities: []string{"published price ranges"}, KPIs: []KPI{{"Research rate", 40, "%"}}, Entry: "stage=research"},
			{Name: "Evaluation", Emotion: 1, Actions: []string{"attends a demo", "runs a trial"}, Thoughts: []string{"Will my team use it?"}, Goals: []string{"see it solve our problem"},
				Touchpoints: []Touchpoint{{"Demo visit", "visit"}, {"Trial", "web"}}, Owners: []string{"Sales"}, PainPoints: []string{"demos not tailored"},
				Opportunities: []string{"demo on the customer's own data"}, KPIs: []KPI{{"Demo rate", 50, "%"}, {"Days to demo", 14, "days"}}, Entry: "stage=demo"},
			{Name: "Proposal", Emotion: -1, Actions: []string{"asks for a quote", "negotiates terms"}, Thoughts: []string{"Can we justify the cost?"}, Goals: []string{"a price the board accepts"},
				Touchpoints: []Touchpoint{{"Quote", "email"}, {"Negotiation call", "phone"}}, Owners: []string{"Sales", "Finance"}, PainPoints: []string{"slow approvals"},
				Opportunities: []string{"ROI calculator in the quote"}, KPIs: []KPI{{"Quote rate", 60, "%"}}, Entry: "stage=quote"},
			{Name: "Purchase", Emotion: 2, Actions: []string{"signs the contract"}, Thoughts: []string{"Relief: done"}, Goals: []string{"start quickly"},
				Touchpoints: []Touchpoint{{"Closing visit", "visit"}}, Owners: []string{"Sales"}, PainPoints: []string{"legal review"},
				Opportunities: []string{"standard contract"}, KPIs: []KPI{{"Win rate", 40, "%"}, {"Days to close", 21, "days"}}, Entry: "stage=sale"},
			{Name: "Onboarding", Emotion: 1, Actions: []string{"sets the tool up with the team"}, Thoughts: []string{"Was it worth it?"}, Goals: []string{"everyone using it within a month"},
				Touchpoints: []Touchpoint{{"Kick-off visit", "visit"}, {"Training", "event"}}, Owners: []string{"Customer success"}, PainPoints: []string{"data migration"},
				Opportunities: []string{"migration service"}, KPIs: []KPI{{"Onboarded", 90, "%"}}, Entry: "stage=onboarding"},
		},
	}
}

func fieldSale() *Document {
	return &Document{
		Name:            "Door-to-door field sale",
		Status:          StatusDraft,
		ReviewEveryDays: 30,
		Persona: Persona{
			Name:           "Home owner",
			Quote:          "I don't buy things at the door, but go on.",
			Description:    "Owns a house in the territory; busy, sceptical of sales visits, open to savings on energy or security.",
			Demographics:   map[string]string{"age": "35–70", "home": "owner-occupied house", "location": "the rep's territory"},
			Psychographics: Psychographics{Personality: "sceptical, practical", Lifestyle: "home in the evening", Values: "trust, savings", SocialClass: "middle class"},
			Behaviours:     Behaviours{PurchaseFrequency: "rare, considered purchases", Habits: []string{"asks the neighbours"}, PreferredChannels: []string{"visit", "phone"}},
			Goals:          []string{"lower bills", "no hassle"},
			PainPoints:     []string{"being pressured on the doorstep"},
		},
		Stages: []Stage{
			{Name: "Knock", Emotion: -1, Actions: []string{"opens the door"}, Thoughts: []string{"Who is this?"}, Goals: []string{"get back to what they were doing"},
				Touchpoints: []Touchpoint{{"Door knock", "visit"}, {"Leaflet", "other"}}, Owners: []string{"Field rep"}, PainPoints: []string{"bad timing"},
				Opportunities: []string{"visit when people are home"}, KPIs: []KPI{{"Doors knocked", 1000, "accounts"}}, Entry: "channel=visit"},
			{Name: "Conversation", Emotion: 0, Actions: []string{"listens to the pitch", "asks questions"}, Thoughts: []string{"Is this a real saving?"}, Goals: []string{"understand the offer"},
				Touchpoints: []Touchpoint{{"Doorstep talk", "visit"}}, Owners: []string{"Field rep"}, PainPoints: []string{"jargon"},
				Opportunities: []string{"a one-page savings estimate"}, KPIs: []KPI{{"Conversation rate", 30, "%"}}, Entry: "channel=visit,outcome=follow_up|appointment|sale"},
			{Name: "Appointment", Emotion: 1, Actions: []string{"books a follow-up at a good time"}, Thoughts: []string{"My partner should hear this"}, Goals: []string{"decide together"},
				Touchpoints: []Touchpoint{{"Appointment visit", "visit"}, {"Reminder", "sms"}}, Owners: []string{"Field rep"}, PainPoints: []string{"reschedules"},
				Opportunities: []string{"SMS reminder the day before"}, KPIs: []KPI{{"Appointment rate", 40, "%"}, {"Days to appointment", 7, "days"}}, Entry: "outcome=appointment"},
			{Name: "Close", Emotion: 2, Actions: []string{"signs"}, Thoughts: []string{"Good decision"}, Goals: []string{"start saving"},
				Touchpoints: []Touchpoint{{"Closing visit", "visit"}}, Owners: []string{"Field rep", "Back office"}, PainPoints: []string{"paper forms"},
				Opportunities: []string{"sign on the tablet"}, KPIs: []KPI{{"Close rate", 50, "%"}}, Entry: "outcome=sale"},
			{Name: "Follow-up", Emotion: 1, Actions: []string{"installation and first bill"}, Thoughts: []string{"Did it really save money?"}, Goals: []string{"see the saving"},
				Touchpoints: []Touchpoint{{"Installation", "visit"}, {"Welcome call", "phone"}}, Owners: []string{"Installation team"}, PainPoints: []string{"installation delays"},
				Opportunities: []string{"referral reward"}, KPIs: []KPI{{"Referrals", 10, "accounts"}}, Entry: "stage=onboarding"},
		},
	}
}
