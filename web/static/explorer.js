// The API explorer: runs the query in the editor through the session
// (cookie plus the page's form token in a header; no bearer token) and
// shows the answer pretty-printed; lists the schema's types and fields from
// the SDL file. Only the explorer page loads it.
(function () {
  "use strict";
  var root = document.getElementById("explorer");
  if (!root) { return; }
  var d = root.dataset;
  var query = document.getElementById("ex-query");
  var vars = document.getElementById("ex-vars");
  var run = document.getElementById("ex-run");
  var status = document.getElementById("ex-status");
  var result = document.getElementById("ex-result");

  function show(msg, body) {
    status.textContent = msg;
    result.textContent = body;
  }

  function execute() {
    var variables = {};
    if (vars.value.trim() !== "") {
      try {
        variables = JSON.parse(vars.value);
      } catch (e) {
        show(d.badvars, String(e.message));
        return;
      }
    }
    run.disabled = true;
    show(d.running, "");
    fetch(d.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Kedja-CSRF": d.csrf },
      body: JSON.stringify({ query: query.value, variables: variables })
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var body = text;
        try { body = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: shown as it came */ }
        show(resp.status + " " + resp.statusText, body);
      });
    }).catch(function (e) {
      show(d.failed, String(e.message));
    }).then(function () {
      run.disabled = false;
    });
  }

  run.addEventListener("click", execute);
  [query, vars].forEach(function (t) {
    t.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        execute();
      }
    });
  });

  // The schema browser. The SDL is kedja's own printing (schema/sdl.go):
  // a description on the line before what it describes, one field per line,
  // a field's arguments on their own lines when it has any.
  var types = {};
  var order = [];
  function unquote(line) {
    var s = line.trim();
    if (s.slice(0, 3) === '"""' && s.slice(-3) === '"""' && s.length >= 6) { return s.slice(3, -3); }
    return null;
  }
  function parse(sdl) {
    var lines = sdl.split("\n");
    var desc = "";
    var cur = null;
    var field = null;
    lines.forEach(function (line) {
      var text = unquote(line);
      if (text !== null) { desc = text; return; }
      var m = /^(type|input|enum|interface|union|scalar) (\w+)/.exec(line);
      if (m) {
        cur = { kind: m[1], name: m[2], desc: desc, fields: [] };
        types[cur.name] = cur;
        order.push(cur.name);
        desc = "";
        return;
      }
      if (!cur) { desc = ""; return; }
      if (line === "}") { cur = null; desc = ""; return; }
      m = /^  (\w+)(\()?(?:: (.+))?$/.exec(line);
      if (m) {
        field = { name: m[1], type: m[3] || "", desc: desc, args: [] };
        cur.fields.push(field);
        desc = "";
        return;
      }
      m = /^    (\w+): (.+)$/.exec(line);
      if (m && field) {
        field.args.push({ name: m[1], type: m[2], desc: desc });
        desc = "";
        return;
      }
      m = /^  \): (.+)$/.exec(line);
      if (m && field) { field.type = m[1]; }
      desc = "";
    });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  // typeRef shows a type such as [ChainStep!]! with the named type a button
  // that opens it.
  function typeRef(t) {
    var span = el("span", "", "ex-ref");
    var m = /^([\[]*)(\w+)(.*)$/.exec(t);
    if (!m || !types[m[2]]) { span.textContent = t; return span; }
    span.appendChild(document.createTextNode(m[1]));
    var b = el("button", m[2], "ex-link");
    b.type = "button";
    b.addEventListener("click", function () { open(m[2]); });
    span.appendChild(b);
    span.appendChild(document.createTextNode(m[3]));
    return span;
  }
  var panel = document.getElementById("ex-type");
  function open(name) {
    var t = types[name];
    panel.textContent = "";
    var h = el("h3", t.kind + " " + t.name);
    h.tabIndex = -1;
    panel.appendChild(h);
    if (t.desc) { panel.appendChild(el("p", t.desc)); }
    if (t.fields.length) {
      var dl = el("dl", "", "ex-fields");
      dl.setAttribute("aria-label", t.kind === "enum" ? d.values : d.fields);
      t.fields.forEach(function (f) {
        var dt = el("dt");
        dt.appendChild(el("code", f.name));
        if (f.type) {
          dt.appendChild(document.createTextNode(": "));
          dt.appendChild(typeRef(f.type));
        }
        dl.appendChild(dt);
        var dd = el("dd", f.desc);
        if (f.args.length) {
          var ul = el("ul", "", "ex-args");
          ul.setAttribute("aria-label", d.args);
          f.args.forEach(function (a) {
            var li = el("li");
            li.appendChild(el("code", a.name));
            li.appendChild(document.createTextNode(": "));
            li.appendChild(typeRef(a.type));
            if (a.desc) { li.appendChild(document.createTextNode(" – " + a.desc)); }
            ul.appendChild(li);
          });
          dd.appendChild(ul);
        }
        dl.appendChild(dd);
      });
      panel.appendChild(dl);
    }
    h.focus();
  }
  var list = document.getElementById("ex-types");
  var filter = document.getElementById("ex-filter");
  function listTypes() {
    var want = filter.value.trim().toLowerCase();
    list.textContent = "";
    order.forEach(function (name) {
      if (want && name.toLowerCase().indexOf(want) < 0) { return; }
      var li = el("li");
      var b = el("button", name, "ex-link");
      b.type = "button";
      b.addEventListener("click", function () { open(name); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }
  filter.addEventListener("input", listTypes);
  fetch(d.schema, { credentials: "same-origin" }).then(function (resp) {
    if (!resp.ok) { throw new Error(resp.status + " " + resp.statusText); }
    return resp.text();
  }).then(function (sdl) {
    parse(sdl);
    listTypes();
    if (types.Query) { open("Query"); }
    query.focus();
  }).catch(function (e) {
    panel.textContent = d.failed + " " + e.message;
  });
}());
