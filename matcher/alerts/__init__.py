"""Partner alerts: subscriptions, reverse matching on writes, an outbox, webhooks and digests."""
