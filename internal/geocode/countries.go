package geocode

import (
	"strings"
	"sync"
)

// countryTable lists the countries of the world, one a line: the ISO 3166-1
// alpha-2 and alpha-3 codes, the English name, then other names people write
// (native names, older or shorter names), separated by semicolons. It covers
// every country of the embedded city list (a test checks).
const countryTable = `
AD AND Andorra
AE ARE United Arab Emirates; UAE; Emirates
AF AFG Afghanistan
AG ATG Antigua and Barbuda; Antigua
AI AIA Anguilla
AL ALB Albania; Shqipëria
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria; Österreich
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands; Åland
AZ AZE Azerbaijan
BA BIH Bosnia and Herzegovina; Bosnia; Bosnia-Herzegovina
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium; Belgique; België; Belgien
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy; St Barts
BM BMU Bermuda
BN BRN Brunei; Brunei Darussalam
BO BOL Bolivia
BQ BES Caribbean Netherlands; Bonaire, Sint Eustatius and Saba; Bonaire
BR BRA Brazil; Brasil
BS BHS Bahamas; The Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands; Cocos Islands
CD COD Democratic Republic of the Congo; DR Congo; DRC; Congo-Kinshasa; Congo, The Democratic Republic of the
CF CAF Central African Republic
CG COG Republic of the Congo; Congo; Congo-Brazzaville
CH CHE Switzerland; Schweiz; Suisse; Svizzera
CI CIV Côte d'Ivoire; Ivory Coast
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China; People's Republic of China; PRC
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cabo Verde; Cape Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czechia; Czech Republic; Česko; Česká republika
DE DEU Germany; Deutschland
DJ DJI Djibouti
DK DNK Denmark; Danmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia; Eesti
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain; España
ET ETH Ethiopia
FI FIN Finland; Suomi
FJ FJI Fiji
FK FLK Falkland Islands; Falkland Islands (Malvinas)
FM FSM Micronesia; Federated States of Micronesia
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom; UK; U.K.; Great Britain; Britain; England; Scotland; Wales; Northern Ireland; United Kingdom of Great Britain and Northern Ireland
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia; The Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece; Hellas
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia; Hrvatska
HT HTI Haiti
HU HUN Hungary; Magyarország
ID IDN Indonesia
IE IRL Ireland; Éire; Republic of Ireland
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran; Islamic Republic of Iran
IS ISL Iceland; Ísland
IT ITA Italy; Italia
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis; St Kitts
KP PRK North Korea; Democratic People's Republic of Korea
KR KOR South Korea; Korea; Republic of Korea; Korea, Republic of
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Laos; Lao People's Democratic Republic
LB LBN Lebanon
LC LCA Saint Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania; Lietuva
LU LUX Luxembourg; Luxemburg
LV LVA Latvia; Latvija
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Moldova; Republic of Moldova
ME MNE Montenegro
MF MAF Saint Martin; Saint Martin (French part)
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia; Macedonia
ML MLI Mali
MM MMR Myanmar; Burma
MN MNG Mongolia
MO MAC Macao; Macau
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico; México
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands; The Netherlands; Holland; Nederland
NO NOR Norway; Norge; Noreg
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand; Aotearoa
OM OMN Oman
PA PAN Panama; Panamá
PE PER Peru; Perú
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines; Pilipinas
PK PAK Pakistan
PL POL Poland; Polska
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn Islands; Pitcairn
PR PRI Puerto Rico
PS PSE Palestine; State of Palestine; Palestinian Territories
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion
RO ROU Romania; România
RS SRB Serbia; Srbija
RU RUS Russia; Russian Federation
RW RWA Rwanda
SA SAU Saudi Arabia; KSA
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden; Sverige
SG SGP Singapore
SH SHN Saint Helena; Saint Helena, Ascension and Tristan da Cunha
SI SVN Slovenia; Slovenija
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia; Slovensko; Slovak Republic
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP São Tomé and Príncipe; Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten; Sint Maarten (Dutch part)
SY SYR Syria; Syrian Arab Republic
SZ SWZ Eswatini; Swaziland
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste; East Timor
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Türkiye; Turkey
TT TTO Trinidad and Tobago; Trinidad
TV TUV Tuvalu
TW TWN Taiwan; Republic of China; Taiwan, Province of China
TZ TZA Tanzania; United Republic of Tanzania
UA UKR Ukraine; Ukraina
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States; United States of America; US; U.S.; USA; U.S.A.; America; United States (US)
UY URY Uruguay
UZ UZB Uzbekistan; Oʻzbekiston
VA VAT Vatican City; Holy See; Vatican
VC VCT Saint Vincent and the Grenadines; St Vincent
VE VEN Venezuela
VG VGB British Virgin Islands; Virgin Islands, British
VI VIR United States Virgin Islands; US Virgin Islands; U.S. Virgin Islands; Virgin Islands, U.S.
VN VNM Vietnam; Viet Nam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
XK XKX Kosovo; XKK
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe
`

// countries maps the key of every code and name in countryTable to its
// alpha-2 code, and names holds the English name of each code.
var countries struct {
	once   sync.Once
	byKey  map[string]string
	byCode map[string]string // alpha-2 → English name
}

func loadCountries() {
	countries.once.Do(func() {
		countries.byKey = make(map[string]string, 1200)
		countries.byCode = make(map[string]string, 260)
		for _, line := range strings.Split(strings.TrimSpace(countryTable), "\n") {
			a2, rest, _ := strings.Cut(line, " ")
			a3, names, _ := strings.Cut(rest, " ")
			countries.byCode[a2] = strings.TrimSpace(strings.Split(names, ";")[0])
			for _, n := range append([]string{a2, a3}, strings.Split(names, ";")...) {
				k := key(n)
				if _, dup := countries.byKey[k]; !dup {
					countries.byKey[k] = a2
				}
			}
		}
	})
}

// countryCode returns the ISO 3166-1 alpha-2 code of a country written as a
// code (US, USA) or a name (United States, Deutschland), and false when s names
// no country known.
func countryCode(s string) (string, bool) {
	loadCountries()
	// Most rows say "US", "USA" or the like: look them up without allocating.
	if len(s) <= 3 {
		var b [3]byte
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c < 'a' || c > 'z' {
				n = -1
				break
			}
			b[n] = c
			n++
		}
		if n > 0 {
			cc, ok := countries.byKey[string(b[:n])]
			return cc, ok
		}
	}
	cc, ok := countries.byKey[key(s)]
	return cc, ok
}

// usTerritories are the places with US ZIP codes that ISO 3166 and the city
// list treat as countries of their own.
var usTerritories = map[string]bool{"PR": true, "GU": true, "VI": true, "AS": true, "MP": true}
