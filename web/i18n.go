package web

// words are the pages' texts in Swedish and English. A key not here is
// shown as it is: the service's own validation messages (English) pass
// through T unchanged.
var words = map[string][2]string{
	"skip": {"Hoppa till innehållet", "Skip to content"}, "menu": {"Huvudmeny", "Main menu"},
	"home": {"Översikt", "Overview"}, "findings": {"Avvikelser", "Findings"}, "finding": {"Avvikelse", "Finding"},
	"chain": {"Kedja", "Chain"}, "dsr": {"Registerutdrag", "Access requests"},
	"signIn": {"Logga in", "Sign in"}, "signOut": {"Logga ut", "Sign out"},
	"signInHelp": {"Logga in med din API-nyckel (kedja_…). Nyckeln skickas bara i formuläret och sparas aldrig i webbläsaren.",
		"Sign in with your API token (kedja_…). The token is sent only in the form and never kept in the browser."},
	"apiToken":    {"API-nyckel", "API token"},
	"formExpired": {"Formuläret har gått ut. Försök igen.", "The form has expired. Try again."},
	"noToken":     {"Ange en API-nyckel.", "Enter an API token."},
	"badToken":    {"Nyckeln är okänd, har gått ut eller har återkallats.", "The token is unknown, expired or revoked."},
	"slowDown":    {"För många försök. Vänta en stund.", "Too many attempts. Wait a while."},
	"internal":    {"Något gick fel hos kedja. Försök igen senare.", "Something went wrong in kedja. Try again later."},
	"notFound":    {"Sidan finns inte", "Page not found"}, "badRequest": {"Felaktig förfrågan", "Bad request"},
	"backHome":   {"Till startsidan", "Back to the start"},
	"role.admin": {"administratör", "administrator"}, "role.editor": {"redaktör", "editor"},
	"role.auditor": {"granskare", "auditor"}, "role.dsr": {"registerutdrag", "access requests"},
	"openFindings": {"Öppna avvikelser", "Open findings"}, "bySeverity": {"Efter allvarlighet", "By severity"},
	"byCheck": {"Efter kontroll", "By check"}, "severity": {"Allvarlighet", "Severity"}, "count": {"Antal", "Count"},
	"check": {"Kontroll", "Check"}, "expiring": {"Intyg som löper ut inom 90 dagar", "Attestations expiring within 90 days"},
	"attestation": {"Intyg", "Attestation"}, "attestations": {"Intyg", "Attestations"}, "subject": {"Gäller", "Subject"},
	"issuer": {"Utfärdare", "Issuer"}, "issued": {"Utfärdat", "Issued"}, "validUntil": {"Giltigt till", "Valid until"},
	"noneExpiring":  {"Inga intyg löper ut inom 90 dagar.", "No attestation expires within 90 days."},
	"recentChanges": {"Senaste ändringar", "Recent changes"}, "when": {"När", "When"}, "what": {"Vad", "What"}, "by": {"Av", "By"},
	"sev.critical": {"kritisk", "critical"}, "sev.high": {"hög", "high"}, "sev.medium": {"medel", "medium"},
	"sev.low": {"låg", "low"}, "sev.info": {"info", "info"},
	"status": {"Status", "Status"}, "status.open": {"öppen", "open"}, "status.accepted": {"accepterad", "accepted"},
	"status.resolved": {"åtgärdad", "resolved"}, "status.all": {"alla", "all"},
	"any": {"alla", "any"}, "controller": {"Personuppgiftsansvarig", "Controller"}, "controllers": {"Personuppgiftsansvariga", "Controllers"},
	"party": {"Part", "Party"}, "partyConcerned": {"Berörd part", "Party concerned"}, "filter": {"Filtrera", "Filter"}, "since": {"Sedan", "Since"}, "more": {"Fler", "More"},
	"noFindings": {"Inga avvikelser matchar.", "No findings match."}, "legalRef": {"Rättslig grund", "Legal reference"},
	"firstSeen": {"Först sedd", "First seen"}, "lastSeen": {"Senast sedd", "Last seen"}, "openChain": {"Visa kedjan", "Show the chain"},
	"evidence": {"Underlag", "Evidence"}, "history": {"Historik", "History"},
	"searchController": {"Sök personuppgiftsansvarig eller leverantör", "Search a controller or supplier"}, "search": {"Sök", "Search"},
	"noneFound": {"Inga träffar.", "Nothing found."}, "asOf": {"Per datum och tid", "As of date and time"}, "depth": {"Djup", "Depth"},
	"show": {"Visa", "Show"}, "print": {"Skriv ut", "Print"}, "steps": {"steg", "steps"},
	"truncated": {"avkortad", "truncated"}, "chainPicture": {"Kedjan som bild", "Chain picture"},
	"stepsTable": {"Kedjans steg", "The chain's steps"}, "from": {"Från", "From"}, "to": {"Till", "To"}, "role": {"Roll", "Role"},
	"country": {"Land", "Country"}, "systems": {"System", "Systems"}, "possibly": {"möjligen", "possibly"},
	"linkRole.processor": {"personuppgiftsbiträde", "processor"}, "linkRole.sub_processor": {"underbiträde", "sub-processor"},
	"linkRole.joint_controller": {"gemensamt ansvarig", "joint controller"}, "linkRole.independent_controller": {"självständigt ansvarig", "independent controller"},
	"linkRole.recipient": {"mottagare", "recipient"},
	"class.eea":          {"EES", "EEA"}, "class.adequacy": {"adekvat skyddsnivå", "adequacy"}, "class.partial_adequacy": {"delvis adekvat", "partial adequacy"},
	"class.third_country": {"tredjeland", "third country"}, "class.": {"okänt", "unknown"},
	"orgNumber": {"Organisationsnummer", "Organisation number"}, "kind": {"Slag", "Kind"}, "ended": {"Upphörde", "Ended"},
	"receivesFrom": {"Tar emot från", "Receives from"}, "sendsTo": {"Lämnar till", "Passes to"}, "none": {"Inga.", "None."},
	"purpose": {"Ändamål", "Purpose"}, "agreement": {"Avtal", "Agreement"}, "transfer": {"Överföring", "Transfer"},
	"selfAssessed": {"egen bedömning", "self-assessed"}, "operator": {"Driftas av", "Operator"},
	"internetExposed": {"Nåbart från internet", "Internet exposed"}, "authentication": {"Inloggning", "Authentication"},
	"encryptionAtRest": {"Krypterat i vila", "Encrypted at rest"}, "retentionDays": {"Lagringstid (dagar)", "Retention (days)"},
	"profile": {"Säkerhetsprofil", "Security profile"}, "locations": {"Platser", "Locations"}, "usedBy": {"Används av", "Used by"},
	"yes": {"ja", "yes"}, "no": {"nej", "no"}, "unknown": {"okänt", "unknown"},
	"newRequest": {"Nytt registerutdrag", "New access request"},
	"dsrHelp": {"Ange region, när samtalet ringdes och ärendenummer. kedja tar fram vilka som hanterade samtalet och öppnar ett utskrivbart svar på svenska och engelska.",
		"Enter the region, when the call was made and the case reference. kedja works out who held the call and opens a printable answer in Swedish and English."},
	"region": {"Region", "Region"}, "choose": {"Välj …", "Choose …"}, "callAt": {"Samtalet ringdes", "Call made at"},
	"caseRef": {"Ärendenummer", "Case reference"}, "runTrace": {"Ta fram svaret", "Trace the call"},
	"chooseRegion": {"Välj en region.", "Choose a region."}, "giveInstant": {"Ange datum och tid för samtalet.", "Give the date and time of the call."},
	"findCase": {"Hitta ett ärende", "Find a case"}, "myCases": {"Mina tidigare ärenden", "My earlier cases"},
	"noCases": {"Inga ärenden.", "No cases."}, "compiled": {"Sammanställt", "Compiled"},
}

// word is key in lang ("sv" or "en"); a key without words is itself.
func word(lang, key string) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return w[1]
	}
	return w[0]
}

// The link page's, the histories', the chain placements' and the edit
// forms' words, merged into words once.
var editWords = map[string][2]string{
	"link": {"Länk", "Link"}, "openLink": {"Länken", "The link"}, "system": {"System", "System"},
	"editLink": {"Ändra länken", "Edit the link"}, "editParty": {"Ändra parten", "Edit the party"}, "editSystem": {"Ändra systemet", "Edit the system"},
	"edit.link": {"Ändra länk", "Edit link"}, "edit.party": {"Ändra part", "Edit party"}, "edit.system": {"Ändra system", "Edit system"},
	"backTo": {"Tillbaka till", "Back to"}, "save": {"Spara", "Save"}, "cancel": {"Avbryt", "Cancel"},
	"notInForce": {"Länken gällde inte vid den valda tidpunkten.", "The link was not in force at the chosen instant."},
	"created":    {"Skapad", "Created"}, "noHistory": {"Inga ändringar registrerade.", "No changes recorded."},
	"placements": {"Plats i de ansvarigas kedjor", "Place in the controllers' chains"}, "path": {"Väg", "Path"},
	"gaps": {"Brister", "Gaps"}, "noGaps": {"Inga", "None"},
	"noPlacements":     {"Ingen personuppgiftsansvarigs kedja når hit vid den valda tidpunkten.", "No controller's chain reaches here at the chosen instant."},
	"gap.NO_AGREEMENT": {"Biträdesavtal saknas", "No processor agreement"}, "gap.NO_AUTHORISATION": {"Godkännande av underbiträde saknas", "No authorisation of the sub-processor"},
	"gap.NO_TRANSFER_MECHANISM":         {"Skyddsåtgärd för överföring saknas", "No transfer safeguard"},
	"gap.ADEQUACY_NOT_APPLICABLE":       {"Adekvansbeslutet gäller inte mottagaren", "The adequacy decision does not cover the recipient"},
	"gap.NO_TRANSFER_IMPACT_ASSESSMENT": {"Konsekvensbedömning av överföring saknas", "No transfer impact assessment"},
	"verdict.not_needed":                {"ingen överföring", "no transfer"}, "verdict.no_mechanism": {"överföring utan skyddsåtgärd", "transfer without safeguard"},
	"verdict.adequacy_not_applicable": {"adekvans gäller inte", "adequacy does not apply"}, "verdict.no_tia": {"konsekvensbedömning saknas", "no impact assessment"},
	"verdict.safeguarded": {"skyddad överföring", "safeguarded transfer"}, "verdict.derogation": {"undantag (art. 49)", "derogation (Art. 49)"},
	"dataCategories": {"Uppgiftskategorier", "Data categories"}, "healthData": {"Hälsodata", "Health data"},
	"validFrom": {"Gäller från", "Valid from"}, "validTo": {"Gäller till", "Valid until"}, "openEnded": {"Tills vidare (lämna tomt)", "Open-ended (leave empty)"},
	"noneRecorded": {"inget registrerat", "none recorded"}, "agreementRef": {"Avtalsreferens", "Agreement reference"},
	"agreementDate": {"Avtalsdatum", "Agreement date"}, "authorisation": {"Godkännande", "Authorisation"},
	"authorisationDate": {"Datum för godkännande", "Authorisation date"}, "authorisingController": {"Godkänt av", "Authorised by"},
	"transferMechanism": {"Överföringsmekanism", "Transfer mechanism"}, "sccModule": {"SCC-modul", "SCC module"},
	"tiaDate": {"Konsekvensbedömning av överföring (datum)", "Transfer impact assessment (date)"},
	"routing": {"Styrning av samtal", "Routing"}, "routingNote": {"Anteckning om styrning", "Routing note"},
	"routingWindows": {"Tidsfönster", "Routing windows"}, "allHours": {"alla tider", "all hours"},
	"routingTimeZone": {"Tidszon för styrning", "Routing time zone"}, "routingShare": {"Andel av samtalen", "Share of calls"},
	"roleFindings": {"Myndigheters bedömning av rollen", "Roles found by authorities"}, "authority": {"Myndighet", "Authority"},
	"noRole": {"ingen roll", "no role"}, "decidedOn": {"Beslutad", "Decided on"}, "reference": {"Referens", "Reference"},
	"systemUses": {"System som används på länken", "Systems used on the link"}, "usedByParty": {"Används av", "Used by"}, "period": {"Period", "Period"},
	"noneChosen": {"– inget –", "– none –"},
	"auth.none":  {"inget", "none"}, "auth.specific": {"särskilt", "specific"}, "auth.general": {"allmänt", "general"},
	"mech.none": {"ingen", "none"}, "mech.adequacy": {"adekvansbeslut", "adequacy decision"}, "mech.scc": {"standardavtalsklausuler", "standard contractual clauses"},
	"mech.bcr": {"bindande företagsbestämmelser", "binding corporate rules"}, "mech.derogation": {"undantag (art. 49)", "derogation (Art. 49)"},
	"commaSeparated": {"Åtskilda med kommatecken.", "Separated by commas."}, "shareHelp": {"Ett tal över 0 och högst 1, t.ex. 0,2.", "A number above 0 and at most 1, e.g. 0.2."},
	"timeZoneHelp": {"IANA-namn, t.ex. Europe/Stockholm.", "An IANA name, e.g. Europe/Stockholm."},
	"legalName":    {"Juridiskt namn", "Legal name"}, "countyCode": {"Länskod", "County code"}, "countyLetter": {"Länsbokstav", "County letter"},
	"regionsOnly": {"Endast för regioner.", "Regions only."}, "timeZone": {"Tidszon", "Time zone"},
	"orgKind.region": {"region", "region"}, "orgKind.public_body": {"myndighet", "public body"}, "orgKind.company": {"företag", "company"}, "orgKind.other": {"annat", "other"},
	"sysKind.telephony": {"telefoni", "telephony"}, "sysKind.recording": {"inspelning", "recording"}, "sysKind.storage": {"lagring", "storage"},
	"sysKind.records": {"journal", "records"}, "sysKind.backup": {"säkerhetskopiering", "backup"}, "sysKind.other": {"annat", "other"},
	"name": {"Namn", "Name"}, "description": {"Beskrivning", "Description"},
	"badInstant": {"Ange datum och tid, t.ex. 2019-02-01 02:00.", "Give a date and time, e.g. 2019-02-01 02:00."},
	"badDate":    {"Ange ett datum, ÅÅÅÅ-MM-DD.", "Give a date, YYYY-MM-DD."}, "badChoice": {"Välj ett av alternativen.", "Choose one of the options."},
	"badNumber": {"Ange ett tal.", "Give a number."}, "is required": {"Måste anges.", "is required"},
	"changedMeanwhile": {"Någon annan har sparat ändringar i de här fälten sedan du öppnade formuläret. Dina värden står kvar; spara igen för att skriva över deras.",
		"Someone else saved changes to these fields after you opened the form. Your values are kept; save again to overwrite theirs."},
	"seeHistory": {"Se historiken.", "See the history."},
	"col.role":   {"roll", "role"}, "col.purpose": {"ändamål", "purpose"}, "col.valid": {"giltighet", "validity"},
	"col.agreement_ref": {"avtalsreferens", "agreement reference"}, "col.legal_name": {"juridiskt namn", "legal name"}, "col.name": {"namn", "name"},
	"col.health_data": {"hälsodata", "health data"}, "col.data_categories": {"uppgiftskategorier", "data categories"},
	"col.transfer_mechanism": {"överföringsmekanism", "transfer mechanism"}, "col.authorisation": {"godkännande", "authorisation"},
	"col.description": {"beskrivning", "description"}, "col.kind": {"slag", "kind"}, "col.country_code": {"land", "country"},
}

func init() {
	for k, w := range editWords {
		if _, dup := words[k]; dup {
			panic("web: the word " + k + " is defined twice")
		}
		words[k] = w
	}
}
