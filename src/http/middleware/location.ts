// Resolves where a request comes from: its region and jurisdiction. In development (and
// only then) the headers X-Holdfast-Region and X-Holdfast-Country stand in for a location.
import { createMiddleware } from "hono/factory";
import { forcedRegion, jurisdictionOf, regionOf, type RequestGeo } from "../../edge/region.ts";
import type { AppEnv } from "../context.ts";

export const location = createMiddleware<AppEnv>(async (c, next) => {
  const { config } = c.var;
  let geo = (c.req.raw as Request & { cf?: RequestGeo }).cf;
  let region = regionOf(geo, config.defaultRegion);
  if (config.devMode) {
    const country = c.req.header("x-holdfast-country");
    if (country) {
      geo = { ...geo, country };
      region = regionOf({ ...geo, continent: undefined }, region);
    }
    region = forcedRegion(c.req.header("x-holdfast-region")) ?? region;
  }
  c.set("location", { region, jurisdiction: jurisdictionOf(geo) });
  await next();
});
