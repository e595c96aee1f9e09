"""aiogram glue that is not a handler: middlewares, request pacing, command registration."""
