"""Template tag libraries of the operator console, registered by name in settings.TEMPLATES
(``libraries``): the novasite package is not an installed app."""
