// `npm run demo`: the course's worked example. Until the worked network lands, the chain rule.
import "./chain-rule.ts";
