"""Two formulas, for tests/test_texcache.py: a render seeded from the LaTeX store needs no TeX."""

from manim import DOWN, MathTex, Scene


class TwoFormulas(Scene):
    def construct(self) -> None:
        first = MathTex(r"v \leftarrow \beta v + \nabla L(\theta)")
        second = MathTex(r"\theta \leftarrow \theta - \alpha v").next_to(first, DOWN)
        self.add(first, second)
