package registry

import "testing"

func TestNormaliseName(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Medicall Co., Ltd.", "MEDICALL"},
		{"Voice Integrate Nordic AB", "voice integrate nordic"},
		{"Thai Cloud Co. Ltd", "Thai Cloud"},
		{"Hosting GmbH", "hosting"},
		{"Medhelp AB (publ)", "Medhelp"},
	}
	for _, tt := range tests {
		if NormaliseName(tt.a) != NormaliseName(tt.b) {
			t.Errorf("%q and %q: %q != %q", tt.a, tt.b, NormaliseName(tt.a), NormaliseName(tt.b))
		}
	}
	if NormaliseName("Medicall AB") == NormaliseName("Medhelp AB") {
		t.Error("different companies match")
	}
}

func TestMatchParty(t *testing.T) {
	num := func(s string) *string { return &s }
	se := MatchCandidate{PartyID: 1, LegalName: "Voice Integrate Nordic AB", OrgNumber: num("556000-0002"), Country: "SE"}
	th := MatchCandidate{PartyID: 2, LegalName: "Medicall Co., Ltd.", Country: "TH"}
	twin := MatchCandidate{PartyID: 3, LegalName: "MEDICALL", Country: "TH"}
	tests := []struct {
		name     string
		row      ImportRow
		byNumber []MatchCandidate
		byName   []MatchCandidate
		party    int64
		doubtful bool
	}{
		{"organisation number first", ImportRow{LegalName: "Other name", OrgNumber: num("5560000002"), Country: "SE"}, []MatchCandidate{se}, nil, 1, false},
		{"number in another country is a changed country", ImportRow{LegalName: "Voice", OrgNumber: num("556000-0002"), Country: "FI"}, []MatchCandidate{se}, nil, 1, false},
		{"normalised name", ImportRow{LegalName: "medicall co ltd", Country: "TH"}, nil, []MatchCandidate{th}, 2, false},
		{"name in another country is doubtful", ImportRow{LegalName: "Medicall", Country: "SE"}, nil, []MatchCandidate{th}, 0, true},
		{"several candidates are doubtful", ImportRow{LegalName: "Medicall", Country: "TH"}, nil, []MatchCandidate{th, twin}, 0, true},
		{"name with another number is doubtful", ImportRow{LegalName: "Voice Integrate Nordic", OrgNumber: num("999"), Country: "SE"}, nil, []MatchCandidate{se}, 0, true},
		{"no match is a new party", ImportRow{LegalName: "New AB", Country: "SE"}, nil, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MatchParty(tt.row, tt.byNumber, tt.byName)
			if m.PartyID != tt.party || (m.Doubtful != "") != tt.doubtful {
				t.Errorf("got %+v, want party %d doubtful %v", m, tt.party, tt.doubtful)
			}
		})
	}
}
