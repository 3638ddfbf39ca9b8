package demo

// industry is a kind of small business the demo company sells to.
type industry struct {
	name      string
	weight    float64  // how common it is
	value     float64  // median deal size in dollars
	employees float64  // median head count
	words     []string // what ends its name: "Plumbing", "Dental Group"…
	partners  bool     // named after partners: "Garcia & Chen Law Group"
}

// industries are the kinds of accounts.
var industries = []industry{
	{name: "Restaurant", weight: 14, value: 6000, employees: 18, words: []string{"Grill", "Kitchen", "Bistro", "Taqueria", "Diner", "Pizza Co.", "Cantina", "Noodle House", "Smokehouse", "Eatery", "Burger Bar", "Sushi"}},
	{name: "Bakery & Café", weight: 6, value: 4000, employees: 8, words: []string{"Bakery", "Bake Shop", "Coffee", "Coffee Roasters", "Café", "Donuts", "Bagels", "Creamery"}},
	{name: "Brewery", weight: 3, value: 12000, employees: 15, words: []string{"Brewing Co.", "Taproom", "Brewery", "Distillery", "Cider House"}},
	{name: "Dental", weight: 6, value: 15000, employees: 12, words: []string{"Dental", "Dental Group", "Family Dentistry", "Orthodontics", "Smiles", "Pediatric Dentistry"}},
	{name: "Medical Clinic", weight: 5, value: 18000, employees: 20, words: []string{"Family Medicine", "Chiropractic", "Physical Therapy", "Eye Care", "Urgent Care", "Dermatology", "Wellness Center"}},
	{name: "Veterinary", weight: 3, value: 11000, employees: 14, words: []string{"Veterinary Clinic", "Animal Hospital", "Pet Care", "Pet Grooming", "Vet Clinic"}},
	{name: "Plumbing", weight: 5, value: 8000, employees: 9, words: []string{"Plumbing", "Plumbing & Heating", "Rooter", "Plumbing & Drain", "Water Heaters"}},
	{name: "HVAC", weight: 4, value: 9000, employees: 10, words: []string{"Heating & Air", "HVAC", "Heating & Cooling", "Furnace & Air", "Comfort Systems"}},
	{name: "Electrical", weight: 3, value: 8500, employees: 8, words: []string{"Electric", "Electrical Services", "Lighting & Electric", "Solar & Electric"}},
	{name: "Construction", weight: 6, value: 14000, employees: 16, words: []string{"Roofing", "Builders", "Construction", "Painting", "Remodeling", "Concrete", "Flooring", "Windows & Doors"}},
	{name: "Landscaping", weight: 4, value: 6500, employees: 10, words: []string{"Landscaping", "Lawn & Garden", "Tree Service", "Sprinklers", "Snow & Lawn", "Nursery"}},
	{name: "Auto Services", weight: 6, value: 9000, employees: 9, words: []string{"Auto Repair", "Auto Body", "Tire & Auto", "Collision", "Car Wash", "Motors", "Auto Glass"}},
	{name: "Salon & Spa", weight: 5, value: 3500, employees: 6, words: []string{"Salon", "Barber Co.", "Hair Studio", "Day Spa", "Nail Studio", "Med Spa"}},
	{name: "Fitness", weight: 4, value: 5000, employees: 9, words: []string{"Fitness", "Yoga", "CrossFit", "Climbing Gym", "Pilates", "Martial Arts", "Cycling Studio"}},
	{name: "Legal", weight: 3, value: 20000, employees: 7, partners: true, words: []string{"Law Group", "Legal", "Law Office", "Attorneys"}},
	{name: "Accounting", weight: 3, value: 12000, employees: 6, partners: true, words: []string{"Tax & Accounting", "CPA Group", "Bookkeeping", "Financial Advisors", "Wealth Partners"}},
	{name: "Real Estate", weight: 4, value: 10000, employees: 8, partners: true, words: []string{"Realty", "Property Management", "Real Estate Group", "Homes", "Title Co."}},
	{name: "Retail", weight: 10, value: 5000, employees: 7, words: []string{"Outfitters", "Hardware", "Florist", "Books", "Boutique", "Bike Shop", "Mercantile", "Ski & Board", "Furniture", "Pet Supply", "Liquors", "Music"}},
	{name: "Cleaning", weight: 3, value: 4500, employees: 12, words: []string{"Cleaning Co.", "Carpet Care", "Janitorial", "Window Cleaning", "Maids"}},
	{name: "Insurance", weight: 2, value: 9000, employees: 5, partners: true, words: []string{"Insurance Agency", "Insurance Group", "Insurance"}},
	{name: "Childcare & Education", weight: 3, value: 7000, employees: 14, words: []string{"Learning Center", "Montessori", "Tutoring", "Preschool", "Music School", "Dance Academy"}},
	{name: "Hospitality", weight: 2, value: 16000, employees: 25, words: []string{"Inn", "Lodge", "Event Center", "Catering", "Hotel"}},
}

// places are local words that start business names.
var places = []string{
	"Mile High", "Front Range", "Cherry Creek", "Rocky Mountain", "Colfax", "Highlands", "Sloan's Lake",
	"Wash Park", "Platte River", "Red Rocks", "Summit", "Aspen", "Columbine", "Blue Spruce", "Bluebird",
	"Golden Triangle", "LoDo", "RiNo", "Five Points", "Capitol Hill", "Baker", "Berkeley", "Tennyson",
	"Evergreen", "Bear Creek", "Clear Creek", "Timberline", "Pikes Peak", "Longs Peak", "Pioneer",
	"Frontier", "Prairie", "Sunrise", "Alpine", "Granite", "Cottonwood", "Elk Ridge", "Mesa", "Foothills",
	"Highline", "Union Station", "Larimer", "Broadway", "Trailhead", "Basecamp", "Continental",
	"Arapahoe", "Cheesman", "City Park", "Ruby Hill", "Lowry", "Green Valley", "Sand Creek",
	"Cherry Hills", "Dry Creek", "Standley Lake", "Twin Peaks", "Silver State", "Centennial", "Bighorn",
	"Wildflower", "Ponderosa", "Big Sky", "High Plains", "Flatirons", "Lookout Mountain", "Blue Sky",
	"Gold Rush", "Silverline", "Copper", "Juniper", "Magpie", "Lark Bunting", "Castle", "Bluff Lake",
	"Eastside", "Westside", "Northside", "Southside", "Uptown", "Old Town", "Main Street", "Peak",
	"Sunnyside", "Platte Park", "Belmar", "Southglenn", "Orchard", "Stonegate", "Tallgrass", "Aurora Hills",
}

// surnames name family businesses and partnerships.
var surnames = []string{
	"Garcia", "Nguyen", "Miller", "Johnson", "O'Brien", "Patel", "Martinez", "Schmidt", "Anderson",
	"Kowalski", "Romero", "Chen", "Kim", "Lopez", "Walker", "Murphy", "Sullivan", "Hernandez", "Olson",
	"Larsen", "Jensen", "Novak", "Tran", "Silva", "Thompson", "Reyes", "Fischer", "Moreno", "Hughes",
	"Brooks", "Castillo", "Ortiz", "Gallagher", "Yamamoto", "Park", "Cohen", "Rivera", "Sandoval",
	"Weber", "Becker", "Foster", "Hayes", "Bennett", "Price", "Russo", "Lindqvist", "Abbott", "Quintana",
	"Maestas", "Trujillo", "Vigil", "Archuleta", "Baca", "Gonzales", "Harper", "Keller", "Dalton",
}

// streets are street names of the metro, for addresses.
var streets = []string{
	"E Colfax Ave", "W Colfax Ave", "Broadway", "Federal Blvd", "Colorado Blvd", "W Alameda Ave", "E Alameda Ave",
	"E Evans Ave", "W Evans Ave", "E Hampden Ave", "W Hampden Ave", "Wadsworth Blvd", "Kipling St", "Sheridan Blvd",
	"S Santa Fe Dr", "S University Blvd", "Downing St", "York St", "Josephine St", "Quebec St", "Havana St",
	"Peoria St", "Chambers Rd", "S Parker Rd", "E Arapahoe Rd", "E Dry Creek Rd", "County Line Rd",
	"E Belleview Ave", "E Yale Ave", "E Mississippi Ave", "E Jewell Ave", "E Iliff Ave", "Lowell Blvd",
	"Tennyson St", "Zuni St", "Pecos St", "Washington St", "Huron St", "E 120th Ave", "W 104th Ave",
	"W 88th Ave", "W 72nd Ave", "W 38th Ave", "W 44th Ave", "E 17th Ave", "E 6th Ave", "Pearl St",
	"Main St", "Elm St", "Oak St", "Maple St", "Cedar Ave", "Pine St", "Aspen Way", "Spruce St",
	"Juniper Ct", "Ponderosa Dr", "Mountain View Rd", "Lakeview Dr", "Ridge Rd", "Highland Dr",
	"Tower Rd", "Smoky Hill Rd", "Ward Rd", "Simms St", "Union Blvd", "Quincy Ave", "Mineral Ave",
	"Lincoln Ave", "Orchard Rd", "Holly St", "Monaco Pkwy", "Leetsdale Dr", "Logan St", "Grant St",
	"Larimer St", "Blake St", "Wynkoop St", "Market St", "Brighton Blvd", "Vasquez Blvd", "Washington St",
}

// events are the trade shows where the company meets leads.
var events = []string{
	"Denver Small Business Expo", "Colorado Restaurant Show", "Front Range Home & Garden Show",
	"Mile High Business Summit", "Rocky Mountain Trades Fair", "Aurora Chamber Mixer",
}

// referrers are who refers a lead.
var referrers = []string{"existing customer", "existing customer", "existing customer", "chamber of commerce", "partner", "friend of owner"}

// pages are the pages of the company's web site that leads read.
var pages = []string{"/", "/pricing", "/pricing", "/features", "/case-studies", "/reviews", "/blog/small-business-guide", "/contact"}

// visitNotes are what reps write after a visit, by outcome.
var visitNotes = map[string][]string{
	"no_answer":      {"Closed when I stopped by.", "Owner out; left a brochure.", "Nobody at the front desk.", ""},
	"not_interested": {"Happy with their current provider.", "No budget this year.", "Owner not interested.", "Went with a competitor."},
	"follow_up":      {"Owner asked for pricing by email.", "Interested; call back next week.", "Spoke with the manager; decision maker is the owner.", "Wants to see a case study."},
	"appointment":    {"Booked a demo with the owner.", "Meeting set with the manager.", "Owner wants a walkthrough."},
	"sale":           {"Signed today.", "Contract signed; onboarding next.", "Closed: annual plan."},
}

// lostReasons are why a deal was lost.
var lostReasons = []string{"Went with a competitor.", "Price too high.", "No budget this year.", "Timing: revisit next year.", "Went quiet after the quote."}
