"""The bot's core below the handlers: services, notices, the outbox, Telegram glue, config, i18n."""
