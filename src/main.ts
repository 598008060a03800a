// Entry of the playground page (index.html).
import './ui/nmf-playground.ts';
