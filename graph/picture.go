// Package graph draws processing chains, responsibilities and call traces
// as pictures: DOT text built in plain Go, byte-identical for the same data,
// rendered to SVG and PNG by the worker processes of graph/render.
package graph

import (
	"fmt"
	"sort"
	"strings"
)

// Node kinds, each with its own shape.
const (
	KindController = "controller"
	KindProcessor  = "processor"
	KindSub        = "sub_processor"
	KindRecipient  = "recipient"
	KindSystem     = "system"
	KindSummary    = "summary"
)

// Node is a party, a system, or a summary of what was left out.
type Node struct {
	ID       string // unique, stable: o12 for organisation 12, s7 for system 7
	Label    string // lines separated by \n
	Kind     string
	Cluster  string // country code; "" outside any cluster
	Findings int    // open findings: outlined in red with the count
	Possible bool   // a trace holder that possibly held the call: dashed
	Excluded bool   // a party the call did not reach: grey and dotted
}

// Edge is a link between parties, a system use, or a move of stored data.
type Edge struct {
	From, To string
	Label    string
	Style    string // solid, dashed, dotted
	Color    string
}

// Cluster groups the nodes of one country.
type Cluster struct {
	Key   string // country code
	Label string
	Class string // eea, domestic, adequacy, partial_adequacy, third_country
}

// Picture is everything a drawing shows.
type Picture struct {
	Title    string
	Caption  []string
	Nodes    []Node
	Edges    []Edge
	Clusters []Cluster
}

var fills = map[string]string{
	KindController: "#dbeafe", KindProcessor: "#dcfce7", KindSub: "#fef9c3", KindRecipient: "#ede9fe",
	KindSystem: "#f1f5f9", KindSummary: "#ffffff",
}

var clusterStyle = map[string]string{
	"eea": `style="rounded,filled"; fillcolor="#f8fafc"; color="#94a3b8"; penwidth=1`,
	// Another law's own territory (Great Britain under the UK GDPR): no
	// transfer, drawn as the EEA is under EU law.
	"domestic":         `style="rounded,filled"; fillcolor="#f8fafc"; color="#94a3b8"; penwidth=1`,
	"adequacy":         `style="rounded,filled"; fillcolor="#f0fdf4"; color="#16a34a"; penwidth=1`,
	"partial_adequacy": `style="rounded,filled,dashed"; fillcolor="#fffbeb"; color="#d97706"; penwidth=2`,
	"third_country":    `style="rounded,filled,bold"; fillcolor="#fee2e2"; color="#b91c1c"; penwidth=3`,
}

// ClassWords names a country's standing on a cluster's label.
var ClassWords = map[string]string{
	"eea": "EEA", "domestic": "domestic", "adequacy": "adequacy decision", "partial_adequacy": "PARTIAL adequacy only",
	"third_country": "THIRD COUNTRY, NO ADEQUACY",
}

// largePicture is where layout quality gives way to speed.
const largePicture = 200

// DOT writes the picture as DOT text. Everything is sorted, so the same
// picture gives the same bytes.
func (p Picture) DOT() string {
	var b strings.Builder
	b.WriteString("digraph kedja {\n")
	b.WriteString("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.35, ranksep=0.9, labelloc=b, labeljust=l, newrank=true")
	if len(p.Nodes) > largePicture {
		// Crossing minimisation dominates large layouts; fewer passes
		// halve the time for a picture few will read edge by edge.
		b.WriteString(", mclimit=0.3, remincross=false")
	}
	b.WriteString("];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, style=\"filled\", penwidth=1, margin=\"0.2,0.08\"];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=8, color=\"#475569\", arrowsize=0.7];\n")
	// The caption's lines end in \l: left-justified, each on its own.
	caption := append([]string{p.Title}, p.Caption...)
	for i, line := range caption {
		caption[i] = escape(line) + `\l`
	}
	fmt.Fprintf(&b, "  label=\"%s\";\n", strings.Join(caption, ""))

	nodes := append([]Node(nil), p.Nodes...)
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].ID < nodes[j].ID })
	byCluster := map[string][]Node{}
	for _, n := range nodes {
		byCluster[n.Cluster] = append(byCluster[n.Cluster], n)
	}
	clusters := append([]Cluster(nil), p.Clusters...)
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Key < clusters[j].Key })
	for _, c := range clusters {
		if len(byCluster[c.Key]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  subgraph %s {\n    %s;\n    label=%s; fontsize=11;\n", quote("cluster_"+c.Key), clusterStyle[c.Class], quote(c.Label))
		for _, n := range byCluster[c.Key] {
			b.WriteString("    " + nodeLine(n) + "\n")
		}
		b.WriteString("  }\n")
		delete(byCluster, c.Key)
	}
	var rest []string
	for k := range byCluster {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	for _, k := range rest {
		for _, n := range byCluster[k] {
			b.WriteString("  " + nodeLine(n) + "\n")
		}
	}

	edges := append([]Edge(nil), p.Edges...)
	sort.Slice(edges, func(i, j int) bool {
		a, c := edges[i], edges[j]
		if a.From != c.From {
			return a.From < c.From
		}
		if a.To != c.To {
			return a.To < c.To
		}
		return a.Label < c.Label
	})
	for _, e := range edges {
		attrs := []string{"label=" + quote(e.Label)}
		if e.Style != "" && e.Style != "solid" {
			attrs = append(attrs, "style="+e.Style)
		}
		if e.Color != "" {
			attrs = append(attrs, "color="+quote(e.Color), "fontcolor="+quote(e.Color))
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", quote(e.From), quote(e.To), strings.Join(attrs, ", "))
	}
	b.WriteString(legend)
	b.WriteString("}\n")
	return b.String()
}

func nodeLine(n Node) string {
	shape := map[string]string{KindController: "box", KindProcessor: "box", KindSub: "box", KindRecipient: "note",
		KindSystem: "cylinder", KindSummary: "folder"}[n.Kind]
	style := []string{"filled"}
	if n.Kind != KindSystem && n.Kind != KindRecipient {
		style = append(style, "rounded")
	}
	if n.Kind == KindController {
		style = append(style, "bold")
	}
	if n.Possible || n.Kind == KindSummary {
		style = append(style, "dashed")
	}
	if n.Excluded {
		style = append(style, "dotted")
	}
	label := n.Label
	attrs := []string{"shape=" + shape, "style=" + quote(strings.Join(style, ",")), "fillcolor=" + quote(fills[n.Kind])}
	switch {
	case n.Findings > 0:
		plural := "s"
		if n.Findings == 1 {
			plural = ""
		}
		label += fmt.Sprintf("\n(!) %d open finding%s", n.Findings, plural)
		attrs = append(attrs, `color="#dc2626"`, "penwidth=3", `fontcolor="#7f1d1d"`)
	case n.Excluded:
		attrs = append(attrs, `color="#9ca3af"`, `fontcolor="#6b7280"`, `fillcolor="#f9fafb"`)
	}
	attrs = append([]string{"label=" + quote(label)}, attrs...)
	return quote(n.ID) + " [" + strings.Join(attrs, ", ") + "];"
}

// legend explains the shapes; it is the same in every picture.
const legend = `  subgraph "cluster_legend" {
    label="Legend"; fontsize=10; style="rounded"; color="#cbd5e1";
    "legend" [shape=plaintext, style="", label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="5">
      <tr><td bgcolor="#dbeafe"><b>controller</b></td><td bgcolor="#dcfce7">processor</td><td bgcolor="#fef9c3">sub-processor</td><td bgcolor="#ede9fe">recipient</td><td bgcolor="#f1f5f9">system (cylinder)</td></tr>
      <tr><td bgcolor="#f8fafc">EEA country</td><td bgcolor="#f0fdf4">adequacy decision</td><td bgcolor="#fffbeb">partial adequacy</td><td bgcolor="#fee2e2"><b>third country, no adequacy</b></td><td><font color="#dc2626">red: open findings</font></td></tr>
      <tr><td colspan="2">dashed: possibly held (share of calls)</td><td colspan="2">dotted: not involved</td><td>folder: left out</td></tr>
    </table>>];
  }
`

// quote makes a DOT string literal.
func quote(s string) string { return `"` + escape(s) + `"` }

// escape makes text safe inside a DOT string: quotes and backslashes are
// escaped (so a name cannot smuggle in \N or \G), newlines become \n.
func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "").Replace(s)
}
