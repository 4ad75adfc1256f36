"""analyze stage."""
