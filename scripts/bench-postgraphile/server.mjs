// PostGraphile v5 over kedja's tables, for scripts/bench to compare with
// kedja serve on the same database. Not part of kedja: scripts/bench copies
// this file and package.json into .bench/postgraphile/ and installs the
// pinned versions there.
//
// Environment: DATABASE_URL (the role it reads as), PORT, HOST.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { jsonPgSmartTags } from "postgraphile/utils";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

// findings name their subject by (subject_kind, subject_id), with no
// foreign key: a virtual one (a smart tag, nothing written to the database)
// gives Organisation.findingsBySubjectId, filtered to open findings about
// a party in the query, as kedja's Organisation.openFindings is.
const Tags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      findings: {
        tags: { foreignKey: "(subject_id) references organisations (id)" },
      },
    },
  },
});

const port = Number(process.env.PORT || 5678);
const host = process.env.HOST || "127.0.0.1";

const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  plugins: [Tags],
  // Filtering on a column without an index of its own is off by default;
  // kedja filters organisations by name (lower(legal_name), an expression
  // index), and the nested query must pick the same ten.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
    }),
  ],
  grafserv: { port, host, graphqlPath: "/graphql", watch: false, graphiql: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before saying it is up, so that the first measured
// request does not pay for introspection.
await pgl.getSchema();
server.listen(port, host, () => {
  console.log(`postgraphile at http://${host}:${port}/graphql`);
});
const stop = () => {
  server.close();
  pgl.release().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
