"""Pages of the catalogue: the public record page and the librarians' cataloguing pages."""
