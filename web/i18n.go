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

// The pages of suppliers' sub-processor lists (imports.html, import.html).
func init() {
	for k, v := range map[string][2]string{
		"imports": {"Underbiträdeslistor", "Sub-processor lists"},
		"importsHelp": {"Ladda upp en leverantörs lista över underbiträden (CSV, XLSX eller YAML). kedja jämför den med registret per ikraftträdandedagen och visar vad som skulle ändras och vad kontrollerna då skulle hitta. Inget ändras förrän någon godkänner.",
			"Upload a supplier's list of sub-processors (CSV, XLSX or YAML). kedja compares it with the registry as of its effective date and shows what would change and what the checks would then find. Nothing changes until someone approves."},
		"uploadList": {"Ladda upp en lista", "Upload a list"}, "supplier": {"Leverantör", "Supplier"},
		"effectiveDate": {"Gäller från", "Effective date"}, "listFile": {"Listan", "The list"},
		"dryRun": {"Visa vad som ändras", "Show what changes"}, "storedImports": {"Uppladdade listor", "Uploaded lists"},
		"import": {"Lista", "List"}, "uploaded": {"Uppladdad", "Uploaded"}, "noImports": {"Inga listor ännu.", "No lists yet."},
		"import.pending": {"väntar på beslut", "awaiting a decision"}, "import.approved": {"godkänd och införd", "approved and applied"},
		"import.rejected": {"avvisad", "rejected"}, "chooseSupplier": {"Välj en leverantör.", "Choose a supplier."},
		"giveDate": {"Ange ett datum.", "Give a date."}, "chooseFile": {"Välj en fil.", "Choose a file."},
		"badRows": {"Listan har felaktiga rader; inget har sparats.", "The list has bad rows; nothing was stored."},
		"line":    {"Rad", "Line"}, "column": {"kolumn", "column"}, "rows": {"Rader", "Rows"}, "reason": {"Skäl", "Reason"},
		"wouldChange": {"Vad godkännandet skulle ändra", "What approval would change"}, "dryRunSaid": {"Vad torrkörningen visade", "What the dry run showed"},
		"noChanges": {"Inget att ändra: registret säger redan det listan säger.", "Nothing to change: the registry already says what the list says."},
		"change":    {"Ändring", "Change"}, "triggers": {"Kontrollerna", "The checks"},
		"otherTriggers":    {"Övrigt som kontrollerna skulle hitta", "Other things the checks would find"},
		"change.new_party": {"ny part", "new party"}, "change.new_link": {"nytt underbiträde", "new sub-processor"},
		"change.ended_link": {"upphör", "ends"}, "change.changed_country": {"nytt land", "changed country"},
		"change.changed_locations": {"nya behandlingsländer", "changed locations"}, "change.changed_link": {"ändrat uppdrag", "changed service"},
		"clears": {"upphör:", "clears:"}, "approve": {"Godkänn och för in", "Approve and apply"},
		"approveHelp": {"Allt förs in i en transaktion, med dig som författare och listan som källa.", "Everything is applied in one transaction, with you as its author and the list as its source."},
		"newParty":    {"En ny part", "A new party"}, "reject": {"Avvisa", "Reject"},
		"applied": {"Infört", "Applied"}, "allImports": {"Alla listor", "All lists"},
	} {
		words[k] = v
	}
}
