package registry

// Gap is something a link lacks that the law asks for.
type Gap struct {
	Code    string // NO_AGREEMENT, NO_AUTHORISATION, NO_TRANSFER_MECHANISM
	LinkID  int64
	Article string
	Message string
}

// LinkGaps lists what a link lacks: an agreement binding a processor (GDPR
// Art. 28(3)), the controller's authorisation of a sub-processor (Art.
// 28(2)), and a transfer mechanism where the receiver sits outside the EEA
// without full adequacy (Art. 44-46).
func LinkGaps(l Link, to PartyFacts) []Gap {
	gaps := []Gap{}
	name := to.LegalName
	if (l.Role == "processor" || l.Role == "sub_processor") && l.AgreementRef == nil {
		gaps = append(gaps, Gap{Code: "NO_AGREEMENT", LinkID: l.ID, Article: "GDPR Art. 28(3)",
			Message: "no processing agreement is recorded for " + name})
	}
	if l.Role == "sub_processor" && l.Authorisation == "none" {
		gaps = append(gaps, Gap{Code: "NO_AUTHORISATION", LinkID: l.ID, Article: "GDPR Art. 28(2)",
			Message: "no controller authorisation is recorded for the sub-processor " + name})
	}
	if (to.TransferClass == "third_country" || to.TransferClass == "partial_adequacy") && l.TransferMechanism == "none" {
		msg := name + " is in a third country (" + to.CountryName + ") and no transfer mechanism is recorded"
		if to.TransferClass == "partial_adequacy" {
			msg = name + " is in " + to.CountryName + ", whose adequacy decision covers only some recipients, and no transfer mechanism is recorded"
		}
		gaps = append(gaps, Gap{Code: "NO_TRANSFER_MECHANISM", LinkID: l.ID, Article: "GDPR Art. 44-46", Message: msg})
	}
	return gaps
}
