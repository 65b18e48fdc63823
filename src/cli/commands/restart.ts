/** `zinit restart NAME...`: see lifecycle.ts for the waiting rules. */
import { lifecycleCommand } from "../lifecycle.ts";

export default lifecycleCommand("restart");
