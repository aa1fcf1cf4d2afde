"""Suno Voice: a custom voice for `personaId` (personaModel `voice_persona`): a validation
phrase, then the voice."""
