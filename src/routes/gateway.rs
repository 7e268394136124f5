//! OpenAI-compatible provider gateways (`type = "gateway"`): the Images API
//! wire format under the gateway's own base URL and key, with its own extra
//! headers and price table. Its images are billed to `provider:<name>` and
//! record the provider and channel apart from the model, so a gateway's spend
//! is never shown as OpenAI's.

use super::images::ImagesRoute;
use crate::config::{Config, RouteConfig};

/// The route for a gateway: the Images protocol, the gateway's settings.
pub fn gateway_route<'a>(config: &'a Config, route: &'a RouteConfig) -> ImagesRoute<'a> {
    ImagesRoute { config, route }
}
