"""SQL storage: models, engine creation and migrations. No Rasa imports."""
