package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	importStatusEnum = describedEnum("ImportStatus", "Where a stored import stands.", registry.ImportStatuses, map[string]string{
		"pending":  "Stored with its dry run; nothing is applied until a person approves it.",
		"approved": "Applied, in one transaction, by decidedBy at decidedAt.",
		"rejected": "Rejected by decidedBy, for reason; nothing was applied.",
	})
	importFormatEnum = describedEnum("ImportFormat", "A file format a sub-processor list is read from and exported to.", registry.ImportFormats, map[string]string{
		"csv":  "Comma- or semicolon-separated text with a header row.",
		"xlsx": "An Excel workbook: the first sheet, with a header row; sent as base64.",
		"yaml": "A YAML list of records whose keys are the column names.",
	})
	importChangeEnum = describedEnum("ImportChangeKind", "What an import changes in the registry.", registry.ImportChangeKinds, map[string]string{
		"new_party":         "A party the registry does not have yet is created.",
		"new_link":          "The supplier engages a sub-processor it had no link to on the effective date.",
		"ended_link":        "A sub-processor no longer listed: its link ends on the effective date.",
		"changed_country":   "The party is now established in another country.",
		"changed_locations": "The countries where the sub-processor processes the data change.",
		"changed_link":      "The service, data categories, health-data flag or role of the link change.",
	})
)

// importFields adds Import and its parts, the import and export of
// suppliers' sub-processor lists (issue 17).
func (t *types) importFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	str, integer, boolean := graphql.String, graphql.Int, graphql.Boolean
	strs := list(str)
	candidate := graphql.NewObject(graphql.ObjectConfig{Name: "MatchCandidate", Description: "A registered party a doubtful row may name.",
		Fields: graphql.Fields{
			"party":     {Type: nn(t.org), Description: "The party.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(c registry.MatchCandidate) *int64 { return &c.PartyID })},
			"legalName": field(nn(str), "Its registered legal name.", func(c registry.MatchCandidate) any { return c.LegalName }),
			"orgNumber": field(str, "Its organisation number; null if none is registered.", func(c registry.MatchCandidate) any { return optStr(c.OrgNumber) }),
			"country":   field(nn(str), "Its registered country (ISO 3166-1 alpha-2).", func(c registry.MatchCandidate) any { return c.Country }),
		}})
	doubtful := graphql.NewObject(graphql.ObjectConfig{Name: "DoubtfulMatch",
		Description: "A row whose party a person must decide before approval (approveImport's decisions): a name that matches a party elsewhere, several, or one with another number.",
		Fields: graphql.Fields{
			"line":       field(nn(integer), "The row's line in the file.", func(d registry.DoubtfulMatch) any { return d.Line }),
			"legalName":  field(nn(str), "The name the list gives.", func(d registry.DoubtfulMatch) any { return d.LegalName }),
			"country":    field(nn(str), "The country the list gives.", func(d registry.DoubtfulMatch) any { return d.Country }),
			"reason":     field(nn(str), "Why the match is in doubt.", func(d registry.DoubtfulMatch) any { return d.Reason }),
			"candidates": field(list(candidate), "The parties it may name.", func(d registry.DoubtfulMatch) any { return d.Candidates }),
		}})
	trigger := graphql.NewObject(graphql.ObjectConfig{Name: "ImportTrigger",
		Description: "A finding the checks would raise, or no longer raise, once the import is applied: the checks themselves, evaluated as of the effective date before and after it.",
		Fields: graphql.Fields{
			"check":         field(nn(str), "The check's id in the catalogue (third_country, ...).", func(x registry.ImportTrigger) any { return x.Check }),
			"severity":      field(nn(str), "Its severity.", func(x registry.ImportTrigger) any { return x.Severity }),
			"message":       field(nn(str), "What it says.", func(x registry.ImportTrigger) any { return x.Message }),
			"cleared":       field(nn(boolean), "True if the import makes the finding go away, false if it raises it.", func(x registry.ImportTrigger) any { return x.Cleared }),
			"subjectKind":   field(nn(str), "What it is about: party, system or link.", func(x registry.ImportTrigger) any { return x.SubjectKind }),
			"controllerIds": field(list(graphql.ID), "The controllers whose chain it concerns.", func(x registry.ImportTrigger) any { return idList(x.Controllers) }),
		}})
	change := graphql.NewObject(graphql.ObjectConfig{Name: "ImportChange", Description: "One change an import makes, with what it triggers in the checks.",
		Fields: graphql.Fields{
			"kind": field(nn(importChangeEnum), "What changes.", func(c registry.ImportChange) any { return c.Kind }),
			"line": field(integer, "The row it comes from; null for an ended link (no row lists it).", func(c registry.ImportChange) any { return nonZero(c.Line) }),
			"party": {Type: t.org, Description: "The registered party; null for a party the import creates.",
				Resolve: resolvers.ByID(r, resolvers.Orgs, func(c registry.ImportChange) *int64 { return nonZeroID(c.PartyID) })},
			"partyName": field(nn(str), "The party's name.", func(c registry.ImportChange) any { return c.PartyName }),
			"link": {Type: t.link, Description: "The registered link; null for a link the import creates.",
				Resolve: resolvers.ByID(r, resolvers.Links, func(c registry.ImportChange) *int64 { return nonZeroID(c.LinkID) })},
			"before":   field(str, "What it was, in words; null for something new.", func(c registry.ImportChange) any { return nonEmpty(c.Before) }),
			"after":    field(str, "What it becomes, in words; null for an end.", func(c registry.ImportChange) any { return nonEmpty(c.After) }),
			"triggers": field(list(trigger), "The findings it raises or clears.", func(c registry.ImportChange) any { return c.Triggers }),
		}})
	diff := graphql.NewObject(graphql.ObjectConfig{Name: "ImportDiff", Description: "What an import would change, as of its effective date.",
		Fields: graphql.Fields{
			"empty":    field(nn(boolean), "True when it changes nothing and leaves nothing to decide (the same list again).", func(d registry.ImportDiff) any { return d.Empty() }),
			"changes":  field(list(change), "The changes, row by row, then the ended links.", func(d registry.ImportDiff) any { return d.Changes }),
			"doubtful": field(list(doubtful), "The rows a person must decide; nothing is planned for them until then.", func(d registry.ImportDiff) any { return d.Doubtful }),
			"triggers": field(list(trigger), "Findings raised or cleared that no single change explains.", func(d registry.ImportDiff) any { return d.Triggers }),
			"triggersLeftOut": field(nn(integer), "How many more findings the import would raise or clear than the dry run keeps (20,000).",
				func(d registry.ImportDiff) any { return d.TriggersLeftOut }),
		}})
	row := graphql.NewObject(graphql.ObjectConfig{Name: "ImportRow", Description: "A row of a sub-processor list, as read.",
		Fields: graphql.Fields{
			"line":           field(nn(integer), "Its line in the file.", func(x registry.ImportRow) any { return x.Line }),
			"legalName":      field(nn(str), "The sub-processor's legal name.", func(x registry.ImportRow) any { return x.LegalName }),
			"orgNumber":      field(str, "Its organisation number; null if not given.", func(x registry.ImportRow) any { return optStr(x.OrgNumber) }),
			"country":        field(nn(str), "Where it is established (ISO 3166-1 alpha-2).", func(x registry.ImportRow) any { return x.Country }),
			"service":        field(nn(str), "What it does for the supplier: the link's purpose.", func(x registry.ImportRow) any { return x.Service }),
			"locations":      field(strs, "The countries where it processes the data.", func(x registry.ImportRow) any { return x.Locations }),
			"dataCategories": field(strs, "The categories of data it receives.", func(x registry.ImportRow) any { return x.DataCategories }),
			"healthData":     field(nn(boolean), "Whether it receives health data.", func(x registry.ImportRow) any { return x.HealthData }),
			"effectiveDate":  field(dateScalar, "From when it is engaged; null: the import's effective date.", func(x registry.ImportRow) any { return optTime(x.EffectiveDate) }),
			"role":           field(nn(str), "Its role on the link: processor or sub_processor.", func(x registry.ImportRow) any { return x.Role }),
		}})
	decision := graphql.NewObject(graphql.ObjectConfig{Name: "MatchDecision", Description: "A person's decision of a doubtful row.",
		Fields: graphql.Fields{
			"line":    field(nn(integer), "The row's line.", func(d registry.MatchDecision) any { return d.Line }),
			"partyId": field(graphql.ID, "The party it names; null: a new party.", func(d registry.MatchDecision) any { return nonZeroIDValue(d.PartyID) }),
		}})
	imp := graphql.NewObject(graphql.ObjectConfig{Name: "Import",
		Description: "A supplier's sub-processor list as uploaded, with its dry run; applied only when a person approves it.",
		Fields: graphql.Fields{
			"id": field(nn(graphql.ID), "The import's id.", func(i registry.Import) any { return id(i.ID) }),
			"supplier": {Type: nn(t.org), Description: "The supplier whose sub-processors the list names.",
				Resolve: resolvers.ByID(r, resolvers.Orgs, func(i registry.Import) *int64 { return &i.SupplierID })},
			"controllerLink": {Type: t.link, Description: "The controller's link to the supplier the list was given under; null if none was named.",
				Resolve: resolvers.ByID(r, resolvers.Links, func(i registry.Import) *int64 { return i.ControllerLinkID })},
			"effectiveDate": field(nn(dateScalar), "The date the list takes effect: the diff is as of it, unlisted links end on it.", func(i registry.Import) any { return i.EffectiveDate }),
			"author":        field(nn(str), "Who uploaded it.", func(i registry.Import) any { return i.Author }),
			"fileName":      field(nn(str), "The source file's name.", func(i registry.Import) any { return i.SourceName }),
			"sha256":        field(nn(str), "The SHA-256 of the source file, in hex.", func(i registry.Import) any { return i.SourceSHA256 }),
			"format":        field(nn(importFormatEnum), "The file's format.", func(i registry.Import) any { return i.Format }),
			"status":        field(nn(importStatusEnum), "Pending, approved or rejected.", func(i registry.Import) any { return i.Status }),
			"createdAt":     field(nn(t.instant), "When it was uploaded.", func(i registry.Import) any { return i.CreatedAt }),
			"decidedBy":     field(str, "Who approved or rejected it; null while pending.", func(i registry.Import) any { return optStr(i.DecidedBy) }),
			"decidedAt":     field(t.instant, "When; null while pending.", func(i registry.Import) any { return optTime(i.DecidedAt) }),
			"reason":        field(str, "Why it was rejected; null otherwise.", func(i registry.Import) any { return optStr(i.Reason) }),
			"rowCount":      field(nn(integer), "How many rows the list has.", func(i registry.Import) any { return len(i.Rows) }),
			"rows": {Type: list(row), Description: "The rows as read, in file order.", Resolve: r.ImportRows(),
				Args: graphql.FieldConfigArgument{"first": {Type: integer, Description: "How many rows, from the first (default 100)."}}},
			"diff":       field(nn(diff), "The dry run: what it would change as of the effective date, when it was uploaded.", func(i registry.Import) any { return i.Diff }),
			"applied":    field(list(change), "What the approval changed, as the registry then stood; empty otherwise.", func(i registry.Import) any { return i.Applied }),
			"decisions":  field(list(decision), "The decisions of doubtful rows the approval was given.", func(i registry.Import) any { return i.Decisions }),
			"newLinkIds": field(list(graphql.ID), "The links the approval created.", func(i registry.Import) any { return idList(i.NewLinkIDs) }),
		}})
	decisionInput := inputObject("MatchDecisionInput", "The decision of a doubtful row.", graphql.InputObjectConfigFieldMap{
		"line":    in(nn(integer), "The row's line, as the dry run gives it."),
		"partyId": in(graphql.ID, "The registered party the row names; omit for a new party."),
	})
	add(query, graphql.Fields{
		"import": {Type: imp, Args: byID("import"), Resolve: r.Import(), Description: "A stored import by its id; a NOT_FOUND error if there is none."},
		"imports": {Type: nn(t.connection(imp)), Args: graphql.FieldConfigArgument{
			"supplierId": {Type: graphql.ID, Description: "Only this supplier's."},
			"status":     {Type: importStatusEnum, Description: "Only those in this status."},
			"first":      {Type: integer, Description: "Page size, 1-500 (default 50)."},
			"after":      {Type: str, Description: "endCursor of the previous page."},
		}, Resolve: r.Imports(), Description: "Stored imports, newest first, a page at a time."},
	})
	add(mutation, graphql.Fields{
		"importSubprocessorList": {Type: nn(imp), Args: graphql.FieldConfigArgument{
			"supplierId":       {Type: nn(graphql.ID), Description: "The supplier whose sub-processors the list names."},
			"controllerLinkId": {Type: graphql.ID, Description: "The controller's link to the supplier the list was given under."},
			"effectiveDate":    {Type: nn(dateScalar), Description: "The date the list takes effect."},
			"fileName":         {Type: nn(str), Description: "The source file's name (its ending names the format when format is omitted)."},
			"format":           {Type: importFormatEnum, Description: "The file's format; omit to go by the file name."},
			"content": {Type: nn(str), Description: "The file: CSV or YAML as text, XLSX as base64. Columns: " +
				"legal_name, org_number, country, service, locations, data_categories, health_data, effective_date, role, supplier (see the README)."},
			"dryRun": {Type: boolean, DefaultValue: true, Description: "True (the default): store the dry run for a person to approve. " +
				"False: approve it at once, which fails (leaving it pending) if a match is doubtful."},
		}, Resolve: r.ImportSubprocessorList(),
			Description: "Reads a supplier's sub-processor list and stores it with its dry run: new parties, new and ended links, changed countries and locations, " +
				"each with the findings it would raise or clear. Bad rows are refused by line and column, and nothing is stored then."},
		"approveImport": {Type: nn(imp), Args: graphql.FieldConfigArgument{
			"id":        {Type: nn(graphql.ID), Description: "The pending import."},
			"decisions": {Type: graphql.NewList(nn(decisionInput)), Description: "A decision for each doubtful row."},
		}, Resolve: r.ApproveImport(),
			Description: "Applies a pending import, as the registry is now, in one transaction through the registry's own writes; a CONFLICT if it is no longer pending."},
		"rejectImport": {Type: nn(imp), Args: graphql.FieldConfigArgument{
			"id":     {Type: nn(graphql.ID), Description: "The pending import."},
			"reason": {Type: nn(str), Description: "Why (1 to 2,000 characters)."},
		}, Resolve: r.RejectImport(), Description: "Rejects a pending import, recording who and why; nothing is applied."},
	})
}

func idList(ids []int64) []any {
	out := make([]any, 0, len(ids))
	for _, n := range ids {
		out = append(out, id(n))
	}
	return out
}

func nonZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func nonZeroID(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func nonZeroIDValue(n int64) any {
	if n == 0 {
		return nil
	}
	return id(n)
}
