# Turns a stretch of PostgreSQL's server log, written with
# log_statement = all, into a pgbench script: the statements that the
# backends whose process ids are in pids ("12 34") ran, each backend's in
# its order, one backend after another. A parameter becomes a pgbench
# variable (:v<statement>_<n>), whose value is written to the file named by
# vars as "name=value" lines for pgbench -D: run with -M extended, pgbench
# sends them as untyped parameters, as kedja's driver does, so that the
# server infers their types as it did for kedja (a literal in their place
# would be typed at each use on its own). A NULL is written in as NULL.
# scripts/bench uses it to replay the SQL one kedja request issues.
#
# It reads entries whose prefix starts with '%m [%p]' (PostgreSQL's and
# Debian's default log_line_prefix): "LOG:  statement: SQL" (simple
# protocol), "LOG:  execute NAME: SQL" with "DETAIL:  parameters: $1 =
# '...', $2 = NULL" (extended protocol); lines without a prefix continue the
# entry before them (a statement over several lines).
#
# The audit append's transaction ends in ROLLBACK, not COMMIT, and its
# rows' ids are moved far above the log's (see far_ids): the script runs
# again and again, and must not fill the audit log with copies. pgbench
# therefore skips the commit's flush, which kedja's group commit shares
# among many requests. With noaudit=1 that transaction is left out: the
# request's own statements only, as under load the group commit makes the
# append a fraction of a transaction per request.
BEGIN {
  n = split(pids, p, " ")
  for (i = 1; i <= n; i++) want[p[i]] = 1
  count = 0; cur = 0; curkind = ""
}

# The pid of an entry line, or "" for a continuation line.
function entry_pid(line,   s) {
  if (line !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9]/) return ""
  if (!match(line, /\[[0-9]+\]/)) return ""
  return substr(line, RSTART + 1, RLENGTH - 2)
}

{
  pid = entry_pid($0)
  if (pid == "") {
    # A continuation of the entry before.
    if (cur > 0 && curkind == "sql") sql[cur] = sql[cur] "\n" $0
    else if (cur > 0 && curkind == "params") params[cur] = params[cur] "\n" $0
    next
  }
  curkind = ""
  if (!(pid in want)) next
  if ((k = index($0, "LOG:  statement: ")) > 0) {
    text = substr($0, k + 17)
  } else if ((k = index($0, "LOG:  execute ")) > 0) {
    rest = substr($0, k + 14)
    c = index(rest, ": ")
    if (c == 0) next
    text = substr(rest, c + 2)
  } else if ((k = index($0, "DETAIL:  parameters: ")) > 0) {
    if (last[pid] > 0) {
      cur = last[pid]; curkind = "params"
      params[cur] = substr($0, k + 21)
    }
    next
  } else {
    next
  }
  count++
  sql[count] = text; owner[count] = pid; last[pid] = count
  if (!(pid in seen)) { seen[pid] = 1; order[++npids] = pid }
  cur = count; curkind = "sql"
}

# replace writes val for every $j in s not followed by a digit. pgbench
# makes each use of a variable a parameter of its own, whose type the
# server infers at that use alone: where one use of $j is cast ($1::text),
# the others get the same cast, as one parameter's type holds for them all.
function replace(s, j, val,   out, tok, k, nxt, cast, rest) {
  tok = "$" j
  cast = ""
  if ((k = index(s, tok "::")) > 0) {
    rest = substr(s, k + length(tok) + 2)
    if (match(rest, /^[a-z_][a-z0-9_]*(\[\])?/)) cast = "::" substr(rest, 1, RLENGTH)
  }
  out = ""
  while ((k = index(s, tok)) > 0) {
    nxt = substr(s, k + length(tok), 1)
    if (nxt ~ /[0-9]/) {
      out = out substr(s, 1, k + length(tok) - 1)
    } else if (substr(s, k + length(tok), 2) == "::") {
      out = out substr(s, 1, k - 1) val
    } else {
      out = out substr(s, 1, k - 1) val cast
    }
    s = substr(s, k + length(tok))
  }
  return out s
}

# far_ids turns "{2,3}" into "{4000000000000000002,4000000000000000003}".
function far_ids(val,   n, a, i, out) {
  n = split(substr(val, 2, length(val) - 2), a, ",")
  out = ""
  for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") sprintf("4%018d", a[i])
  return "{" out "}"
}

# bind puts a variable for each parameter of "$1 = '26', $2 = NULL" into s
# (c: the statement's number) and writes the variables' values to vars.
function bind(s, ps, c,   j, val, q, ch, name) {
  while (match(ps, /^\$[0-9]+ = /)) {
    j = substr(ps, 2, RLENGTH - 4)
    ps = substr(ps, RLENGTH + 1)
    if (substr(ps, 1, 4) == "NULL") {
      val = "NULL"; ps = substr(ps, 5)
    } else if (substr(ps, 1, 1) == "'") {
      # A quoted value ends at a quote not doubled.
      q = 2
      while (q <= length(ps)) {
        ch = substr(ps, q, 1)
        if (ch == "'" && substr(ps, q + 1, 1) == "'") { q += 2; continue }
        if (ch == "'") break
        q++
      }
      val = substr(ps, 1, q); ps = substr(ps, q + 1)
    } else {
      break
    }
    if (val == "NULL") {
      s = replace(s, j, val)
    } else {
      name = "v" c "_" j
      val = substr(val, 2, length(val) - 2)
      gsub(/''/, "'", val)
      # The audit append names its rows' ids, the ones after the chain's
      # head, which kedja's own append has taken by now: pgbench appends
      # (and rolls back) ids far above them instead.
      if (s ~ /INSERT INTO audit_log/ && val ~ /^\{[0-9]+(,[0-9]+)*\}$/) val = far_ids(val)
      if (index(val, "\n") > 0) {
        print "bench-sql.awk: a parameter value over several lines cannot be given to pgbench -D" > "/dev/stderr"
        exit 2
      }
      print name "=" val > vars
      s = replace(s, j, ":" name)
    }
    sub(/^, /, "", ps)
  }
  return s
}

END {
  if (count == 0) exit 1
  if (vars == "") vars = "/dev/null"
  printf "" > vars
  for (o = 1; o <= npids; o++) {
    pid = order[o]
    # Which transaction each statement is in (0: none), and which of them
    # append to the audit log.
    tx = 0; open_tx = 0
    for (c = 1; c <= count; c++) {
      if (owner[c] != pid) continue
      if (sql[c] ~ /^(BEGIN|START TRANSACTION)/) { tx = c; open_tx = 1 }
      txof[c] = open_tx ? tx : 0
      if (open_tx && sql[c] ~ /INSERT INTO audit_log/) audittx[tx] = 1
      if (sql[c] ~ /^(COMMIT|END|ROLLBACK)/) open_tx = 0
    }
    for (c = 1; c <= count; c++) {
      if (owner[c] != pid) continue
      if (noaudit && (txof[c] in audittx)) continue
      s = sql[c]
      if (c in params) s = bind(s, params[c], c)
      sub(/[ \t\n;]+$/, "", s)
      if ((txof[c] in audittx) && s ~ /^(COMMIT|END)$/) s = "ROLLBACK"
      print s ";"
    }
  }
}
