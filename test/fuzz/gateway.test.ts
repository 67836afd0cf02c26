import { describeFuzz } from "./fuzz-suite.ts";
import { openGatewayFuzz } from "./gateway-fuzz.ts";

describeFuzz("hostile input into a gateway's messages and compatibility routes", openGatewayFuzz);
